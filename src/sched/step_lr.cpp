// StepLR: lr_t = base · gamma^⌊t / step_size⌋.
#include "eta/sched/step_lr.h"

#include <cmath>

namespace eta::sched {

Declaration<StepLROptions> StepLR::declaration() {
  return {"StepLR",
          {{"step_size", &StepLROptions::step_size, util::above(0), /*required=*/true},
           {"gamma", &StepLROptions::gamma, util::at_least(0)}}};
}

StepLR::StepLR(optim::Optimizer& optimizer, const StepLROptions& o)
    : WithOptions(optimizer, o), step_size_(o.step_size), gamma_(o.gamma) {
  initial_step();
}

double StepLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * std::pow(gamma_, static_cast<double>(step / step_size_));
}

double StepLR::chained_lr(double current, int64_t step, size_t) const {
  return (step == 0 || step % step_size_ != 0) ? current : current * gamma_;
}

}  // namespace eta::sched
