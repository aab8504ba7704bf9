// Adamax (Kingma & Ba 2015, section 7.1): Adam with the infinity norm in place of the second
// moment; weight decay and maximize. PyTorch 1.13's update rule and defaults.
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct AdamaxOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool maximize = false;
};

class Adamax : public WithOptions<Adamax, AdamaxOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<AdamaxOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
