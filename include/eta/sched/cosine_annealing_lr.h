// CosineAnnealingLR (Loshchilov & Hutter 2017, without restarts): half a cosine from the base
// learning rate down to eta_min over T_max steps, then back up (PyTorch's CosineAnnealingLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

class CosineAnnealingLR : public Scheduler {
 public:
  CosineAnnealingLR(optim::Optimizer& optimizer, int64_t T_max, double eta_min = 0);
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

}  // namespace eta::sched
