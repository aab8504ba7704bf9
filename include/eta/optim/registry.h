// Building optimizers from strings, for programs and config files: make_optimizer("adam", params,
// {{"lr", "0.01"}, {"betas", "0.9,0.99"}}). Names match case-insensitively, ignoring '_' and '-';
// flags are PyTorch's argument names. A new optimizer can register itself without editing eta.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eta/optim/optimizer.h"

namespace eta::optim {

using Flags = std::map<std::string, std::string>;

struct OptimizerFactory {
  std::string name;  // as printed, e.g. "AdamW"
  Options defaults;  // every hyper-parameter the optimizer accepts
  // Builds the optimizer from groups whose options override the defaults.
  std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>)> make;
};

// Adds (or replaces) an optimizer under canonical_name(factory.name).
void register_optimizer(OptimizerFactory factory);
// Printed names of every registered optimizer.
std::vector<std::string> optimizer_names();
// The flags `name` accepts ("betas" stands for beta1 and beta2), for routing command lines.
std::vector<std::string> optimizer_flags(const std::string& name);
// Unknown names and flags, and malformed values, throw eta::Error listing the valid ones.
// Flag values: numbers, true/false, and for "betas" two comma-separated numbers.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params,
                                          const Flags& flags = {});

}  // namespace eta::optim
