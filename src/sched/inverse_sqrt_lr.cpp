// InverseSqrtLR: lr_t = base · ((t + 1) / W if t < W, else sqrt(max(W, 1) / (t + 1))).
#include "eta/sched/inverse_sqrt_lr.h"

#include <algorithm>
#include <cmath>

namespace eta::sched {

Declaration<InverseSqrtLROptions> InverseSqrtLR::declaration() {
  return {"InverseSqrtLR",
          {{"warmup_steps", &InverseSqrtLROptions::warmup_steps, util::at_least(0)}}};
}

InverseSqrtLR::InverseSqrtLR(optim::Optimizer& optimizer, const InverseSqrtLROptions& o)
    : WithOptions(optimizer, o), warmup_steps_(o.warmup_steps) {
  initial_step();
}

double InverseSqrtLR::lr_at(int64_t step, size_t group) const {
  const double s = static_cast<double>(step + 1), w = static_cast<double>(warmup_steps_);
  const double factor = step < warmup_steps_ ? s / w : std::sqrt(std::max(w, 1.0) / s);
  return base_lrs_.at(group) * factor;
}

}  // namespace eta::sched
