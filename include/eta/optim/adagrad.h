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

class Adagrad : public WithOptions<Adagrad, AdagradOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<AdagradOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
