// ConstantLR: scales the learning rate by a constant factor for the first total_iters steps, then
// restores it (PyTorch's ConstantLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

class ConstantLR : public Scheduler {
 public:
  ConstantLR(optim::Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5);
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;

 private:
  double factor_;
  int64_t total_iters_;
};

}  // namespace eta::sched
