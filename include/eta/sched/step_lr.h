// StepLR: multiplies the learning rate by gamma every step_size steps (PyTorch's StepLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

class StepLR : public Scheduler {
 public:
  StepLR(optim::Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

}  // namespace eta::sched
