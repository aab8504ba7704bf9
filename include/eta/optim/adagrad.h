// Adagrad (Duchi et al. 2011) with learning-rate decay, an initial accumulator value, weight decay
// and maximize. PyTorch 1.13's update rule and defaults.
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  bool maximize = false;
};

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(std::vector<Tensor> params, const AdagradOptions& options = {});
  explicit Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& options = {});
  // Hyper-parameters (names, ranges; defaults from the options struct) for the registry.
  static const OptimizerSpec& spec();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
