// Building optimizers from strings, for programs and config files: make_optimizer("adam", params,
// {{"lr", "0.01"}, {"betas", "0.9,0.99"}}). Names match case-insensitively, ignoring '_' and '-';
// flags are PyTorch's argument names. Everything here reads each optimizer's OptimizerSpec
// (optimizer.h); a new optimizer registers its spec without editing eta.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "eta/optim/optimizer.h"

namespace eta::optim {

using Flags = util::Flags;
using OptimizerFactory = OptimizerSpec;  // the name before specs carried ranges and traits

// Adds (or replaces) an optimizer under canonical_name(spec.name).
void register_optimizer(OptimizerSpec spec);
// Printed names of every registered optimizer.
std::vector<std::string> optimizer_names();
// The spec registered under `name` (any case); unknown names throw listing the valid ones.
OptimizerSpec optimizer_spec(const std::string& name);
// The flags `name` accepts ("betas" stands for beta1 and beta2), for routing command lines.
std::vector<std::string> optimizer_flags(const std::string& name);
// Unknown names and flags, and malformed values, throw eta::Error listing the valid ones.
// Flag values: numbers, true/false, and for "betas" two comma-separated numbers.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params,
                                          const Flags& flags = {});

}  // namespace eta::optim
