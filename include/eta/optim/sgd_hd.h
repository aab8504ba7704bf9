// SGDHD: SGD whose learning rate is itself learned by gradient descent on its hypergradient
// (Baydin et al., ICLR 2018, "Online Learning Rate Adaptation with Hypergradient Descent"). The
// step before moved θ_{t−1} = θ_{t−2} − η·u_{t−1} with u the (weight-decayed) gradient, so
// ∂f(θ_{t−1})/∂η = −∇f(θ_{t−1})·u_{t−1}, and each step first sets
//   η_t = max(0, η_{t−1} + hypergrad_lr · g_t·u_{t−1})     (the dot product over the whole group)
// then steps θ_t = θ_{t−1} − η_t·g_t. The learned rate lives in the group's "lr", where schedulers,
// telemetry and checkpoints see it (a scheduler that writes "lr" overrides what was learned). Names
// and defaults follow the authors' PyTorch code (hypergrad_lr 1e-6); η is kept non-negative.
#pragma once
#include <limits>

#include "eta/optim/optimizer.h"

namespace eta::optim {

struct SGDHDOptions {
  double lr = std::numeric_limits<double>::quiet_NaN();  // the starting rate; required, as SGD's
  double weight_decay = 0;
  double hypergrad_lr = 1e-6;  // β: the learning rate of the learning rate
  bool maximize = false;
};

class SGDHD : public WithOptions<SGDHD, SGDHDOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<SGDHDOptions> declaration();
  // lr must be given.
  static void check_rules(const Options& o);

 protected:
  void before_group(ParamGroup& group, const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                    const std::vector<ParamState*>& states) override;
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
