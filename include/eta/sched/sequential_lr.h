// SequentialLR: hands over from one scheduler to the next at each milestone, the next starting at
// its own step 0 — e.g. LinearLR warmup for 5 steps, then CosineAnnealingLR (PyTorch's SequentialLR).
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

class SequentialLR : public Scheduler {
 public:
  // All schedulers must drive `optimizer`; milestones: one fewer than schedulers, increasing.
  SequentialLR(optim::Optimizer& optimizer, std::vector<std::unique_ptr<Scheduler>> schedulers,
               std::vector<int64_t> milestones);
  double lr_at(int64_t step, size_t group = 0) const override;
  void apply_extras(int64_t step) override;

 private:
  // The index of the scheduler in charge at `step` and the step in its own count.
  std::pair<size_t, int64_t> locate(int64_t step) const;

  std::vector<std::unique_ptr<Scheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

}  // namespace eta::sched
