// MultiStepLR: lr_t = base · gamma^(number of milestones ≤ t).
#include "eta/sched/multi_step_lr.h"

#include <algorithm>
#include <cmath>

#include "eta/error.h"

namespace eta::sched {

Declaration<MultiStepLROptions> MultiStepLR::declaration() {
  return {"MultiStepLR",
          {{"milestones", &MultiStepLROptions::milestones, {}, /*required=*/true},
           {"gamma", &MultiStepLROptions::gamma, util::at_least(0)}}};
}

MultiStepLR::MultiStepLR(optim::Optimizer& optimizer, const MultiStepLROptions& o)
    : WithOptions(optimizer, o), milestones_(o.milestones), gamma_(o.gamma) {
  for (size_t i = 1; i < milestones_.size(); ++i)
    ETA_CHECK(milestones_[i - 1] <= milestones_[i], "MultiStepLR: milestones must be in increasing order, but ",
              milestones_[i - 1], " comes before ", milestones_[i]);
  initial_step();
}

double MultiStepLR::lr_at(int64_t step, size_t group) const {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), step) - milestones_.begin();
  return base_lrs_.at(group) * std::pow(gamma_, static_cast<double>(passed));
}

double MultiStepLR::chained_lr(double current, int64_t step, size_t) const {
  const auto hits = std::count(milestones_.begin(), milestones_.end(), step);
  return hits == 0 ? current : current * std::pow(gamma_, static_cast<double>(hits));
}

}  // namespace eta::sched
