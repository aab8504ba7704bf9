// ConstantLR: lr_t = base · factor for t < total_iters, base afterwards.
#include "eta/sched/constant_lr.h"

namespace eta::sched {

ConstantLR::ConstantLR(optim::Optimizer& optimizer, double factor, int64_t total_iters)
    : Scheduler("ConstantLR", optimizer), factor_(factor), total_iters_(total_iters) {
  check(factor >= 0 && factor <= 1, "factor", factor, "expected in [0, 1]");
  check(total_iters >= 0, "total_iters", static_cast<double>(total_iters), "expected >= 0");
  initial_step();
}

double ConstantLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * (factor_ + (step >= total_iters_ ? 1 - factor_ : 0.0));
}

double ConstantLR::chained_lr(double current, int64_t step, size_t) const {
  if (step == 0) return current * factor_;
  return step == total_iters_ ? current * (1.0 / factor_) : current;
}

}  // namespace eta::sched
