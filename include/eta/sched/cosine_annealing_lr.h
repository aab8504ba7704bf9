// CosineAnnealingLR (Loshchilov & Hutter 2017, without restarts): half a cosine from the base
// learning rate down to eta_min over T_max steps, then back up (PyTorch's CosineAnnealingLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct CosineAnnealingLROptions {
  int64_t T_max = 0;  // required; programs default it to the run's length
  double eta_min = 0;
};

class CosineAnnealingLR : public WithOptions<CosineAnnealingLR, CosineAnnealingLROptions> {
 public:
  CosineAnnealingLR(optim::Optimizer& optimizer, const CosineAnnealingLROptions& options);
  CosineAnnealingLR(optim::Optimizer& optimizer, int64_t T_max, double eta_min = CosineAnnealingLROptions{}.eta_min)
      : CosineAnnealingLR(optimizer, CosineAnnealingLROptions{T_max, eta_min}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<CosineAnnealingLROptions> declaration();

 private:
  int64_t T_max_;
  double eta_min_;
};

}  // namespace eta::sched
