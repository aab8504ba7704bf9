// RAdam (Liu et al. 2020): Adam with the variance of the adaptive learning rate rectified, falling
// back to momentum SGD while the approximated SMA length is ≤ 5. PyTorch 1.13's rule and defaults.
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct RAdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

class RAdam : public WithOptions<RAdam, RAdamOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<RAdamOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
