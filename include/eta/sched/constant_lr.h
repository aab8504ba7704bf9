// ConstantLR: scales the learning rate by a constant factor for the first total_iters steps, then
// restores it (PyTorch's ConstantLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct ConstantLROptions {
  double factor = 1.0 / 3;
  int64_t total_iters = 5;
};

class ConstantLR : public WithOptions<ConstantLR, ConstantLROptions> {
 public:
  ConstantLR(optim::Optimizer& optimizer, const ConstantLROptions& options);
  explicit ConstantLR(optim::Optimizer& optimizer, double factor = ConstantLROptions{}.factor,
                      int64_t total_iters = ConstantLROptions{}.total_iters)
      : ConstantLR(optimizer, ConstantLROptions{factor, total_iters}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<ConstantLROptions> declaration();

 private:
  double factor_;
  int64_t total_iters_;
};

}  // namespace eta::sched
