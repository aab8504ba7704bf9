// ChainedScheduler: lr_t = f_n(… f_1(lr_{t−1}, t) …, t) with f_i scheduler i's chained form
// (Scheduler::chained_lr), starting from the base learning rates at step 0. Path-dependent in
// general (an absolute schedule in the chain overrides what came before), hence the replay in lr_at.
#include "eta/sched/chained_scheduler.h"

#include "eta/error.h"

namespace eta::sched {

namespace {

optim::Optimizer& first_optimizer(const std::vector<std::unique_ptr<Scheduler>>& schedulers) {
  ETA_CHECK(!schedulers.empty() && schedulers[0], "ChainedScheduler: needs at least one scheduler");
  return schedulers[0]->optimizer();
}

}  // namespace

ChainedScheduler::ChainedScheduler(std::vector<std::unique_ptr<Scheduler>> schedulers)
    : Scheduler("ChainedScheduler", first_optimizer(schedulers)), schedulers_(std::move(schedulers)) {
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    ETA_CHECK(schedulers_[i] != nullptr, "ChainedScheduler: scheduler ", i, " is null");
    ETA_CHECK(&schedulers_[i]->optimizer() == &optimizer(), "ChainedScheduler: scheduler ", i, " (",
              schedulers_[i]->name(), ") drives a different optimizer than scheduler 0");
  }
  // Each child set its own step-0 rate when built; redo step 0 as one chain from the base rates,
  // which is what PyTorch's children, built one after another on the same groups, amount to.
  auto& groups = optimizer().param_groups();
  for (size_t g = 0; g < groups.size(); ++g) groups[g].lr() = base_lrs_[g];
  for (auto& s : schedulers_) s->apply(0, /*chained=*/true);
  last_epoch_ = 0;
  for (size_t g = 0; g < groups.size(); ++g) last_lr_[g] = groups[g].lr();
}

double ChainedScheduler::lr_at(int64_t step, size_t group) const {
  double lr = base_lrs_.at(group);
  for (int64_t t = 0; t <= step; ++t)
    for (const auto& s : schedulers_) lr = s->chained_lr(lr, t, group);
  return lr;
}

void ChainedScheduler::step() {
  const int64_t next = last_epoch_ + 1;
  for (auto& s : schedulers_) s->apply(next, /*chained=*/true);
  last_epoch_ = next;
  auto& groups = optimizer().param_groups();
  for (size_t g = 0; g < groups.size(); ++g) last_lr_[g] = groups[g].lr();
}

}  // namespace eta::sched
