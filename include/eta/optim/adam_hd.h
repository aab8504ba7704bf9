// AdamHD: Adam whose learning rate is learned by hypergradient descent (Baydin et al., ICLR 2018).
// The previous step moved the parameters by −η·u with u = m̂/(√v̂ + ε), Adam's bias-corrected
// direction (AMSGrad's maximum in place of v̂ when on), so each step first sets
//   η_t = max(0, η_{t−1} + hypergrad_lr · g_t·u_{t−1})     (the dot product over the whole group)
// with g_t the gradient as Adam uses it (negated to maximize, plus L2 weight decay), then takes
// Adam's step (PyTorch 1.13's rule, eta/optim/adam.h) with η_t. The learned rate lives in the
// group's "lr" (schedulers, telemetry and checkpoints see it). Defaults follow the authors' code
// (hypergrad_lr 1e-8); η is kept non-negative.
#pragma once
#include "eta/optim/adam.h"

namespace eta::optim {

struct AdamHDOptions {
  double lr = 1e-3;  // the starting rate
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
  double hypergrad_lr = 1e-8;
};

class AdamHD : public WithOptions<AdamHD, AdamHDOptions, Adam> {
 public:
  using WithOptions::WithOptions;
  static Declaration<AdamHDOptions> declaration();

 protected:
  void before_group(ParamGroup& group, const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                    const std::vector<ParamState*>& states) override;
};

}  // namespace eta::optim
