// ExponentialLR: lr_t = base · gamma^t.
#include "eta/sched/exponential_lr.h"

#include <cmath>

namespace eta::sched {

Declaration<ExponentialLROptions> ExponentialLR::declaration() {
  return {"ExponentialLR",
          {{"gamma", &ExponentialLROptions::gamma, util::at_least(0), /*required=*/true}}};
}

ExponentialLR::ExponentialLR(optim::Optimizer& optimizer, const ExponentialLROptions& o)
    : WithOptions(optimizer, o), gamma_(o.gamma) {
  initial_step();
}

double ExponentialLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * std::pow(gamma_, static_cast<double>(step));
}

double ExponentialLR::chained_lr(double current, int64_t step, size_t) const {
  return step == 0 ? current : current * gamma_;
}

}  // namespace eta::sched
