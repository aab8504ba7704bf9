// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, p ← p·(1 − lr·wd) before the
// Adam step. PyTorch 1.13's defaults (weight_decay 1e-2).
#pragma once
#include "eta/optim/adam.h"

namespace eta::optim {

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
};

class AdamW : public WithOptions<AdamW, AdamWOptions, Adam> {
 public:
  using WithOptions::WithOptions;
  static Declaration<AdamWOptions> declaration();

 protected:
  bool decoupled_weight_decay() const override { return true; }
};

}  // namespace eta::optim
