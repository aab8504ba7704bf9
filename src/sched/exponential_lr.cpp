// ExponentialLR: lr_t = base · gamma^t.
#include "eta/sched/exponential_lr.h"

#include <cmath>

namespace eta::sched {

ExponentialLR::ExponentialLR(optim::Optimizer& optimizer, double gamma)
    : Scheduler("ExponentialLR", optimizer), gamma_(gamma) {
  check(gamma >= 0, "gamma", gamma, "expected >= 0");
  initial_step();
}

double ExponentialLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * std::pow(gamma_, static_cast<double>(step));
}

double ExponentialLR::chained_lr(double current, int64_t step, size_t) const {
  return step == 0 ? current : current * gamma_;
}

}  // namespace eta::sched
