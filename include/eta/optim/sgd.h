// SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum (Sutskever et al.
// 2013, in PyTorch's form), L2 weight decay and maximize. PyTorch 1.13's update rule and defaults.
#pragma once
#include <limits>

#include "eta/optim/optimizer.h"

namespace eta::optim {

struct SGDOptions {
  // PyTorch's SGD has no default learning rate: NaN here means "not given" and is refused.
  double lr = std::numeric_limits<double>::quiet_NaN();
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  bool maximize = false;
};

class SGD : public WithOptions<SGD, SGDOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<SGDOptions> declaration();
  // lr must be given, and nesterov needs momentum without dampening.
  static void check_rules(const Options& o);

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
