// ConstantLR: lr_t = base · factor for t < total_iters, base afterwards.
#include "eta/sched/constant_lr.h"

namespace eta::sched {

Declaration<ConstantLROptions> ConstantLR::declaration() {
  return {"ConstantLR",
          {{"factor", &ConstantLROptions::factor, util::between(0, 1)},
           {"total_iters", &ConstantLROptions::total_iters, util::at_least(0)}}};
}

ConstantLR::ConstantLR(optim::Optimizer& optimizer, const ConstantLROptions& o)
    : WithOptions(optimizer, o), factor_(o.factor), total_iters_(o.total_iters) {
  initial_step();
}

double ConstantLR::lr_at(int64_t step, size_t group) const {
  return base_lrs_.at(group) * (factor_ + (step >= total_iters_ ? 1 - factor_ : 0.0));
}

double ConstantLR::chained_lr(double current, int64_t step, size_t) const {
  if (step == 0) return current * factor_;
  return step == total_iters_ ? current * (1.0 / factor_) : current;
}

}  // namespace eta::sched
