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

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  explicit Adam(std::vector<ParamGroup> groups, const AdamOptions& options = {});
  // Hyper-parameters (names, ranges; defaults from the options struct) for the registry.
  static const OptimizerSpec& spec();

 protected:
  // For AdamW: the same moments, with weight decay applied to the parameter instead of the gradient.
  Adam(const OptimizerSpec& spec, std::vector<ParamGroup> groups, const Options& defaults, bool decoupled_weight_decay);
  void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) override;

 private:
  bool decoupled_weight_decay_ = false;
};

}  // namespace eta::optim
