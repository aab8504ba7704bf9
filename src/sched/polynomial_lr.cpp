// PolynomialLR: lr_t = base · (1 − min(t, total_iters) / total_iters)^power.
#include "eta/sched/polynomial_lr.h"

#include <algorithm>
#include <cmath>

namespace eta::sched {

Declaration<PolynomialLROptions> PolynomialLR::declaration() {
  return {"PolynomialLR",
          {{"total_iters", &PolynomialLROptions::total_iters, util::above(0)},
           {"power", &PolynomialLROptions::power}}};
}

PolynomialLR::PolynomialLR(optim::Optimizer& optimizer, const PolynomialLROptions& o)
    : WithOptions(optimizer, o), total_iters_(o.total_iters), power_(o.power) {
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
