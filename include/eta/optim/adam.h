// Adam (Kingma & Ba 2015) with the AMSGrad variant (Reddi et al. 2018), L2 weight decay added to the
// gradient, and maximize. PyTorch 1.13's update rule and defaults; AdamW (adamw.h) reuses it.
#pragma once
#include "eta/optim/optimizer.h"

namespace eta::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;  // PyTorch's betas[0]
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
};

class Adam : public WithOptions<Adam, AdamOptions> {
 public:
  using WithOptions::WithOptions;
  static Declaration<AdamOptions> declaration();

 protected:
  // True for AdamW: the same moments, with weight decay applied to the parameter instead of the gradient.
  virtual bool decoupled_weight_decay() const { return false; }
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;
};

}  // namespace eta::optim
