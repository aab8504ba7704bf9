// LinearLR: lr_t = base · (start + (end − start) · min(t, total_iters) / total_iters).
#include "eta/sched/linear_lr.h"

#include <algorithm>

namespace eta::sched {

LinearLR::LinearLR(optim::Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : Scheduler("LinearLR", optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  // PyTorch allows start_factor 0 but its chained form then divides by zero; the closed form is fine.
  check(start_factor >= 0 && start_factor <= 1, "start_factor", start_factor, "expected in [0, 1]");
  check(end_factor >= 0 && end_factor <= 1, "end_factor", end_factor, "expected in [0, 1]");
  check(total_iters > 0, "total_iters", static_cast<double>(total_iters), "expected > 0");
  initial_step();
}

double LinearLR::lr_at(int64_t step, size_t group) const {
  const double t = static_cast<double>(std::min(total_iters_, step)), n = static_cast<double>(total_iters_);
  return base_lrs_.at(group) * (start_factor_ + (end_factor_ - start_factor_) * t / n);
}

double LinearLR::chained_lr(double current, int64_t step, size_t) const {
  if (step == 0) return current * start_factor_;
  if (step > total_iters_) return current;
  const double d = end_factor_ - start_factor_;
  return current * (1. + d / (static_cast<double>(total_iters_) * start_factor_ + static_cast<double>(step - 1) * d));
}

}  // namespace eta::sched
