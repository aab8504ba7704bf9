// StepLR: multiplies the learning rate by gamma every step_size steps (PyTorch's StepLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct StepLROptions {
  int64_t step_size = 0;  // required
  double gamma = 0.1;
};

class StepLR : public WithOptions<StepLR, StepLROptions> {
 public:
  StepLR(optim::Optimizer& optimizer, const StepLROptions& options);
  StepLR(optim::Optimizer& optimizer, int64_t step_size, double gamma = StepLROptions{}.gamma)
      : StepLR(optimizer, StepLROptions{step_size, gamma}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<StepLROptions> declaration();

 private:
  int64_t step_size_;
  double gamma_;
};

}  // namespace eta::sched
