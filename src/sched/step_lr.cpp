// StepLR: lr_t = base · gamma^⌊t / step_size⌋.
#include "eta/sched/step_lr.h"

#include <cmath>

namespace eta::sched {

StepLR::StepLR(optim::Optimizer& optimizer, int64_t step_size, double gamma)
    : Scheduler("StepLR", optimizer), step_size_(step_size), gamma_(gamma) {
  check(step_size > 0, "step_size", static_cast<double>(step_size), "expected > 0");
  check(gamma >= 0, "gamma", gamma, "expected >= 0");
  initial_step();
}

double StepLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * std::pow(gamma_, static_cast<double>(step / step_size_));
}

double StepLR::chained_lr(double current, int64_t step, size_t) const {
  return (step == 0 || step % step_size_ != 0) ? current : current * gamma_;
}

}  // namespace eta::sched
