// CyclicLR, PyTorch's arithmetic:
//   cycle = ⌊1 + t / total⌋,  x = 1 + t / total − cycle,
//   h = x / ratio (rising) or (x − 1) / (ratio − 1) (falling),
//   lr = base + (max − base)·h·scale(cycle or t),  momentum = max_m − (max_m − base_m)·h·scale.
#include "eta/sched/cyclic_lr.h"

#include <cmath>
#include <utility>

#include "eta/error.h"
#include "sched/per_group.h"

namespace eta::sched {

namespace {

// PyTorch sets each group's lr to base_lr before the scheduler records initial_lr.
optim::Optimizer& with_base_lrs(optim::Optimizer& optimizer, const CyclicLROptions& o) {
  auto& groups = optimizer.param_groups();
  const auto base = detail::per_group("CyclicLR", o.base_lr, groups.size(), "base_lr");
  for (size_t g = 0; g < groups.size(); ++g) groups[g].lr() = base[g];
  return optimizer;
}
}  // namespace

Declaration<CyclicLROptions> CyclicLR::declaration() {
  return {"CyclicLR",
          {{"base_lr", &CyclicLROptions::base_lr, util::at_least(0), /*required=*/true},
           {"max_lr", &CyclicLROptions::max_lr, util::at_least(0), /*required=*/true},
           {"step_size_up", &CyclicLROptions::step_size_up, util::above(0)},
           {"step_size_down", &CyclicLROptions::step_size_down, util::at_least(0)},  // 0: step_size_up
           {"mode", &CyclicLROptions::mode, util::one_of({"triangular", "triangular2", "exp_range"})},
           {"gamma", &CyclicLROptions::gamma},
           {"cycle_momentum", &CyclicLROptions::cycle_momentum},
           {"base_momentum", &CyclicLROptions::base_momentum},
           {"max_momentum", &CyclicLROptions::max_momentum}},
          {.cycles_momentum = true}};
}

CyclicLR::CyclicLR(optim::Optimizer& optimizer, CyclicLROptions options)
    : WithOptions(with_base_lrs(optimizer, options)), o_(std::move(options)) {
  auto& groups = optimizer.param_groups();
  base_lrs_ = detail::per_group("CyclicLR", o_.base_lr, groups.size(), "base_lr");
  max_lrs_ = detail::per_group("CyclicLR", o_.max_lr, groups.size(), "max_lr");
  check_fields(o_);
  const double up = static_cast<double>(o_.step_size_up);
  const double down = o_.step_size_down > 0 ? static_cast<double>(o_.step_size_down) : up;
  total_size_ = up + down;
  step_ratio_ = up / total_size_;
  if (o_.scale_fn) {
    ETA_CHECK(o_.scale_mode == "cycle" || o_.scale_mode == "iterations",
              "CyclicLR: scale_mode must be 'cycle' or 'iterations', got '", o_.scale_mode, "'");
    scale_by_cycle_ = o_.scale_mode == "cycle";
  } else {
    scale_by_cycle_ = o_.mode != "exp_range";
  }
  if (o_.cycle_momentum) {
    ETA_CHECK(groups[0].has("momentum"), "CyclicLR: cycle_momentum needs an optimizer with a 'momentum' option (",
              optimizer.name(), " has none); pass cycle_momentum false");
    base_momenta_ = detail::per_group("CyclicLR", o_.base_momentum, groups.size(), "base_momentum");
    max_momenta_ = detail::per_group("CyclicLR", o_.max_momentum, groups.size(), "max_momentum");
    for (size_t g = 0; g < groups.size(); ++g) groups[g].option("momentum") = base_momenta_[g];
  }
  initial_step();
}

std::pair<double, double> CyclicLR::height_and_scale(int64_t step) const {
  const double t = static_cast<double>(step);
  const double cycle = std::floor(1 + t / total_size_);
  const double x = 1. + t / total_size_ - cycle;
  const double height = x <= step_ratio_ ? x / step_ratio_ : (x - 1) / (step_ratio_ - 1);
  const double arg = scale_by_cycle_ ? cycle : t;
  double scale = 1.;
  if (o_.scale_fn) scale = o_.scale_fn(arg);
  else if (o_.mode == "triangular2") scale = 1 / std::pow(2., arg - 1);
  else if (o_.mode == "exp_range") scale = std::pow(o_.gamma, arg);
  return {height, scale};
}

double CyclicLR::lr_at(int64_t step, size_t group) const {
  const auto [height, scale] = height_and_scale(step);
  const double base = base_lrs_.at(group);
  return base + (max_lrs_.at(group) - base) * height * scale;  // PyTorch's association
}

double CyclicLR::momentum_at(int64_t step, size_t group) const {
  ETA_CHECK(o_.cycle_momentum, "CyclicLR: momentum_at() needs cycle_momentum");
  const auto [height, scale] = height_and_scale(step);
  const double base = base_momenta_.at(group), top = max_momenta_.at(group);
  return top - (top - base) * height * scale;
}

void CyclicLR::apply_extras(int64_t step) {
  if (!o_.cycle_momentum) return;
  auto& groups = optimizer().param_groups();
  for (size_t g = 0; g < groups.size(); ++g) groups[g].option("momentum") = momentum_at(step, g);
}
}  // namespace eta::sched
