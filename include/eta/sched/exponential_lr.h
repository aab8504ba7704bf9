// ExponentialLR: multiplies the learning rate by gamma every step (PyTorch's ExponentialLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct ExponentialLROptions {
  double gamma = 0;  // required
};

class ExponentialLR : public WithOptions<ExponentialLR, ExponentialLROptions> {
 public:
  ExponentialLR(optim::Optimizer& optimizer, const ExponentialLROptions& options);
  ExponentialLR(optim::Optimizer& optimizer, double gamma) : ExponentialLR(optimizer, ExponentialLROptions{gamma}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<ExponentialLROptions> declaration();

 private:
  double gamma_;
};

}  // namespace eta::sched
