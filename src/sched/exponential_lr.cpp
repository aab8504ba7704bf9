// ExponentialLR: lr_t = base · gamma^t.
#include "eta/sched/exponential_lr.h"

#include <cmath>

namespace eta::sched {

namespace {
const util::Fields<ExponentialLROptions>& fields() {
  static const util::Fields<ExponentialLROptions> f = {
      {"gamma", &ExponentialLROptions::gamma, util::at_least(0), /*required=*/true}};
  return f;
}
}  // namespace

const SchedulerSpec& ExponentialLR::spec() {
  static const SchedulerSpec s = describe<ExponentialLR>("ExponentialLR", fields());
  return s;
}

ExponentialLR::ExponentialLR(optim::Optimizer& optimizer, const ExponentialLROptions& o)
    : Scheduler("ExponentialLR", optimizer), gamma_(o.gamma) {
  util::check_fields(name(), fields(), o);
  initial_step();
}

double ExponentialLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * std::pow(gamma_, static_cast<double>(step));
}

double ExponentialLR::chained_lr(double current, int64_t step, size_t) const {
  return step == 0 ? current : current * gamma_;
}

}  // namespace eta::sched
