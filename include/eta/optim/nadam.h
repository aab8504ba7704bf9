// NAdam (Dozat 2016): Adam with Nesterov momentum and a momentum schedule (momentum_decay), plus
// weight decay. PyTorch 1.13's update rule and defaults (which has no maximize for NAdam).
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct NAdamOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum_decay = 4e-3;
};

class NAdam : public WithOptions<NAdam, NAdamOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<NAdamOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
