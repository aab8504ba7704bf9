// MultiStepLR: multiplies the learning rate by gamma at each milestone (PyTorch's MultiStepLR).
#pragma once
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

struct MultiStepLROptions {
  // Must be non-decreasing; a repeated milestone applies gamma once per repetition. Required.
  std::vector<int64_t> milestones;
  double gamma = 0.1;
};

class MultiStepLR : public WithOptions<MultiStepLR, MultiStepLROptions> {
 public:
  MultiStepLR(optim::Optimizer& optimizer, const MultiStepLROptions& options);
  MultiStepLR(optim::Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = MultiStepLROptions{}.gamma)
      : MultiStepLR(optimizer, MultiStepLROptions{std::move(milestones), gamma}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<MultiStepLROptions> declaration();

 private:
  std::vector<int64_t> milestones_;
  double gamma_;
};

}  // namespace eta::sched
