// SequentialLR: lr_t = S_k.lr_at(t − m_k) with k the number of milestones ≤ t (m_0 = 0); PyTorch
// restarts each scheduler at 0 on its milestone (step(0)), which this closed form matches.
#include "eta/sched/sequential_lr.h"

#include <algorithm>

#include "eta/error.h"

namespace eta::sched {

SequentialLR::SequentialLR(optim::Optimizer& optimizer, std::vector<std::unique_ptr<Scheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : Scheduler("SequentialLR", optimizer), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  ETA_CHECK(!schedulers_.empty(), "SequentialLR: needs at least one scheduler");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    ETA_CHECK(schedulers_[i] != nullptr, "SequentialLR: scheduler ", i, " is null");
    ETA_CHECK(&schedulers_[i]->optimizer() == &optimizer, "SequentialLR: scheduler ", i, " (",
              schedulers_[i]->name(), ") drives a different optimizer");
  }
  ETA_CHECK(milestones_.size() + 1 == schedulers_.size(), "SequentialLR: expects one milestone fewer than schedulers, ",
            "got ", schedulers_.size(), " schedulers and ", milestones_.size(), " milestones");
  for (size_t i = 0; i < milestones_.size(); ++i) {
    ETA_CHECK(milestones_[i] > 0, "SequentialLR: milestone ", milestones_[i], " must be > 0");
    ETA_CHECK(i == 0 || milestones_[i - 1] < milestones_[i], "SequentialLR: milestones must be in increasing order, ",
              "but ", milestones_[i - 1], " comes before ", milestones_[i]);
  }
  // The children's constructors changed the learning rates; start again from the first one at 0.
  base_lrs_ = schedulers_[0]->base_lrs();
  initial_step();
}

std::pair<size_t, int64_t> SequentialLR::locate(int64_t step) const {
  const auto k = static_cast<size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), step) - milestones_.begin());
  return {k, step - (k == 0 ? 0 : milestones_[k - 1])};
}

double SequentialLR::lr_at(int64_t step, size_t group) const {
  const auto [k, local] = locate(step);
  return schedulers_[k]->lr_at(local, group);
}

void SequentialLR::apply_extras(int64_t step) {
  const auto [k, local] = locate(step);
  schedulers_[k]->apply_extras(local);
}

}  // namespace eta::sched
