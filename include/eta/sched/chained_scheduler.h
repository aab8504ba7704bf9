// ChainedScheduler: steps several schedulers together, each applying its change on top of the
// previous one's — e.g. ConstantLR warmup times ExponentialLR decay (PyTorch's ChainedScheduler).
#pragma once
#include <memory>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

class ChainedScheduler : public Scheduler {
 public:
  explicit ChainedScheduler(std::vector<std::unique_ptr<Scheduler>> schedulers);
  // Replays the chain from the base learning rates: O(step × schedulers).
  double lr_at(int64_t step, size_t group = 0) const override;
  // Maps each group's current learning rate through every scheduler's chained form, as PyTorch does.
  void step() override;

 private:
  std::vector<std::unique_ptr<Scheduler>> schedulers_;
};

}  // namespace eta::sched
