// LinearLR: lr_t = base · (start + (end − start) · min(t, total_iters) / total_iters).
#include "eta/sched/linear_lr.h"

#include <algorithm>

namespace eta::sched {

Declaration<LinearLROptions> LinearLR::declaration() {
  return {"LinearLR",
          {{"start_factor", &LinearLROptions::start_factor, util::between(0, 1)},
           {"end_factor", &LinearLROptions::end_factor, util::between(0, 1)},
           {"total_iters", &LinearLROptions::total_iters, util::above(0)}}};
}

LinearLR::LinearLR(optim::Optimizer& optimizer, const LinearLROptions& o)
    : WithOptions(optimizer, o), start_factor_(o.start_factor), end_factor_(o.end_factor), total_iters_(o.total_iters) {
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
