// CosineAnnealingLR: lr_t = eta_min + (base − eta_min)·(1 + cos(π·t / T_max)) / 2.
// PyTorch steps a recursive form (each lr from the previous one); it equals this closed form to
// ~1e-13 unless something else changes the learning rate, which ChainedScheduler reproduces through
// chained_lr().
#include "eta/sched/cosine_annealing_lr.h"

#include <cmath>
#include <numbers>

namespace eta::sched {

Declaration<CosineAnnealingLROptions> CosineAnnealingLR::declaration() {
  return {"CosineAnnealingLR",
          {{"T_max", &CosineAnnealingLROptions::T_max, util::above(0), /*required=*/true},
           {"eta_min", &CosineAnnealingLROptions::eta_min}},
          {.length_flags = {"T_max"}}};
}

CosineAnnealingLR::CosineAnnealingLR(optim::Optimizer& optimizer, const CosineAnnealingLROptions& o)
    : WithOptions(optimizer, o), T_max_(o.T_max), eta_min_(o.eta_min) {
  initial_step();
}

double CosineAnnealingLR::lr_at(int64_t step, size_t group) const {
  const double pi = std::numbers::pi;
  return eta_min_ +
         (base_lrs_.at(group) - eta_min_) * (1 + std::cos(pi * static_cast<double>(step) / static_cast<double>(T_max_))) /
             2;
}

double CosineAnnealingLR::chained_lr(double current, int64_t step, size_t group) const {
  const double pi = std::numbers::pi, T = static_cast<double>(T_max_), t = static_cast<double>(step);
  if (step == 0) return current;
  // Python's modulo (never negative): the step after each minimum, where the ratio form divides by 0.
  const int64_t period = 2 * T_max_;
  if ((((step - 1 - T_max_) % period) + period) % period == 0)
    return current + (base_lrs_.at(group) - eta_min_) * (1 - std::cos(pi / T)) / 2;
  return (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) * (current - eta_min_) + eta_min_;
}

}  // namespace eta::sched
