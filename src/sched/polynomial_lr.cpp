// PolynomialLR: lr_t = base · (1 − min(t, total_iters) / total_iters)^power.
#include "eta/sched/polynomial_lr.h"

#include <algorithm>
#include <cmath>

namespace eta::sched {

PolynomialLR::PolynomialLR(optim::Optimizer& optimizer, int64_t total_iters, double power)
    : Scheduler("PolynomialLR", optimizer), total_iters_(total_iters), power_(power) {
  check(total_iters > 0, "total_iters", static_cast<double>(total_iters), "expected > 0");
  initial_step();
}

double PolynomialLR::lr_at(int64_t step, size_t group) const {
  const double t = static_cast<double>(std::min(total_iters_, step)), n = static_cast<double>(total_iters_);
  return base_lrs_.at(group) * std::pow(1.0 - t / n, power_);
}

double PolynomialLR::chained_lr(double current, int64_t step, size_t) const {
  if (step == 0 || step > total_iters_) return current;
  const double t = static_cast<double>(step), n = static_cast<double>(total_iters_);
  return current * std::pow((1.0 - t / n) / (1.0 - (t - 1) / n), power_);
}

}  // namespace eta::sched
