// LinearLR: scales the learning rate by a factor moving linearly from start_factor to end_factor
// over total_iters steps, then holds it — the usual warmup (PyTorch's LinearLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct LinearLROptions {
  double start_factor = 1.0 / 3;
  double end_factor = 1.0;
  int64_t total_iters = 5;
};

class LinearLR : public WithOptions<LinearLR, LinearLROptions> {
 public:
  LinearLR(optim::Optimizer& optimizer, const LinearLROptions& options);
  explicit LinearLR(optim::Optimizer& optimizer, double start_factor = LinearLROptions{}.start_factor,
                    double end_factor = LinearLROptions{}.end_factor,
                    int64_t total_iters = LinearLROptions{}.total_iters)
      : LinearLR(optimizer, LinearLROptions{start_factor, end_factor, total_iters}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<LinearLROptions> declaration();

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

}  // namespace eta::sched
