// CosineAnnealingWarmRestarts (SGDR, Loshchilov & Hutter 2017): cosine annealing that restarts
// every T_i steps, T_0 first and each period T_mult times longer (PyTorch's scheduler of that name).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct CosineAnnealingWarmRestartsOptions {
  int64_t T_0 = 0;  // required
  int64_t T_mult = 1;
  double eta_min = 0;
};

class CosineAnnealingWarmRestarts : public WithOptions<CosineAnnealingWarmRestarts, CosineAnnealingWarmRestartsOptions> {
 public:
  CosineAnnealingWarmRestarts(optim::Optimizer& optimizer, const CosineAnnealingWarmRestartsOptions& options);
  CosineAnnealingWarmRestarts(optim::Optimizer& optimizer, int64_t T_0,
                              int64_t T_mult = CosineAnnealingWarmRestartsOptions{}.T_mult,
                              double eta_min = CosineAnnealingWarmRestartsOptions{}.eta_min)
      : CosineAnnealingWarmRestarts(optimizer, CosineAnnealingWarmRestartsOptions{T_0, T_mult, eta_min}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  static Declaration<CosineAnnealingWarmRestartsOptions> declaration();

 private:
  int64_t T_0_, T_mult_;
  double eta_min_;
};

}  // namespace eta::sched
