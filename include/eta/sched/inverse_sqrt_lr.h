// InverseSqrtLR: linear warm-up, then decay as the inverse square root of the step — the schedule
// of "Attention Is All You Need" (Vaswani et al. 2017, section 5.3), scaled so that the peak is the
// base learning rate. PyTorch has no such scheduler; with W = warmup_steps and t the step:
//   factor(t) = (t + 1) / W             for t < W   (reaches 1 at t = W − 1)
//   factor(t) = sqrt(max(W, 1) / (t + 1))  for t ≥ W   (W = 0: 1/sqrt(t + 1), no warm-up)
//   lr(t) = base_lr · factor(t)
// The length does not follow the run: the decay has no end.
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct InverseSqrtLROptions {
  int64_t warmup_steps = 0;
};

class InverseSqrtLR : public WithOptions<InverseSqrtLR, InverseSqrtLROptions> {
 public:
  InverseSqrtLR(optim::Optimizer& optimizer, const InverseSqrtLROptions& options = {});
  double lr_at(int64_t step, size_t group = 0) const override;
  static Declaration<InverseSqrtLROptions> declaration();

 private:
  int64_t warmup_steps_;
};

}  // namespace eta::sched
