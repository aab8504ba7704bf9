// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): a step of the sign of
// an interpolation between momentum and gradient, with decoupled weight decay and maximize.
// PyTorch has no Lion; options follow the paper's and the usual PyTorch ports' names and defaults
// (lr 1e-4, betas (0.9, 0.99)): a sign step is larger than Adam's, so lr is 3-10x smaller.
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct LionOptions {
  double lr = 1e-4;
  double beta1 = 0.9;  // betas[0]: interpolation for the update direction
  double beta2 = 0.99;  // betas[1]: decay of the momentum kept in the state
  double weight_decay = 0;  // decoupled, as in AdamW: p ← p·(1 − lr·wd)
  bool maximize = false;
};

class Lion : public WithOptions<Lion, LionOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<LionOptions> declaration();

 protected:
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
