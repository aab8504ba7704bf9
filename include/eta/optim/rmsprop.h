// RMSprop (Hinton's lecture 6e; centered form from Graves 2013) with momentum, weight decay and
// maximize. PyTorch 1.13's update rule and defaults.
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
  bool maximize = false;
};

class RMSprop : public WithOptions<RMSprop, RMSpropOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<RMSpropOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
