// CosineAnnealingWarmRestarts: find the period T_i holding step t and the position T_cur in it
// (integer arithmetic, as PyTorch's per-step counters), then
//   lr_t = eta_min + (base − eta_min)·(1 + cos(π·T_cur / T_i)) / 2.
#include "eta/sched/cosine_annealing_warm_restarts.h"

#include <cmath>
#include <numbers>

namespace eta::sched {

Declaration<CosineAnnealingWarmRestartsOptions> CosineAnnealingWarmRestarts::declaration() {
  return {"CosineAnnealingWarmRestarts",
          {{"T_0", &CosineAnnealingWarmRestartsOptions::T_0, util::above(0), /*required=*/true},
           {"T_mult", &CosineAnnealingWarmRestartsOptions::T_mult, util::at_least(1)},
           {"eta_min", &CosineAnnealingWarmRestartsOptions::eta_min}}};
}

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(optim::Optimizer& optimizer,
                                                         const CosineAnnealingWarmRestartsOptions& o)
    : WithOptions(optimizer, o), T_0_(o.T_0), T_mult_(o.T_mult), eta_min_(o.eta_min) {
  initial_step();
}

double CosineAnnealingWarmRestarts::lr_at(int64_t step, size_t group) const {
  int64_t T_cur = step, T_i = T_0_;
  if (T_mult_ == 1) {
    T_cur = step % T_0_;
  } else {
    while (T_cur >= T_i) {  // periods grow geometrically: a few dozen iterations at most
      T_cur -= T_i;
      T_i *= T_mult_;
    }
  }
  const double pi = std::numbers::pi;
  return eta_min_ + (base_lrs_.at(group) - eta_min_) *
                        (1 + std::cos(pi * static_cast<double>(T_cur) / static_cast<double>(T_i))) / 2;
}

}  // namespace eta::sched
