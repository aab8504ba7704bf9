// Adadelta (Zeiler 2012) with weight decay and maximize. PyTorch 1.13's update rule and defaults
// (lr 1.0 scales the step Zeiler's method computes).
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0;
  bool maximize = false;
};

class Adadelta : public WithOptions<Adadelta, AdadeltaOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<AdadeltaOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
