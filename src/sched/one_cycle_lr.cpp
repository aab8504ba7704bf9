// OneCycleLR: piecewise annealing between per-group anchor values, PyTorch's phases exactly:
//   two phases: [0, pct·T − 1] initial → max, then → min at T − 1;
//   three phases: initial → max → initial (at 2·pct·T − 2) → min.
// Each phase anneals with cos: end + (start − end)/2 · (1 + cos(π·pct)), or linearly.
#include "eta/sched/one_cycle_lr.h"

#include <cmath>
#include <numbers>

#include "eta/error.h"
#include "sched/per_group.h"

namespace eta::sched {

Declaration<OneCycleLROptions> OneCycleLR::declaration() {
  return {"OneCycleLR",
          {{"max_lr", &OneCycleLROptions::max_lr, util::at_least(0), /*required=*/true},
           {"total_steps", &OneCycleLROptions::total_steps, util::at_least(0)},
           {"epochs", &OneCycleLROptions::epochs, util::at_least(0)},
           {"steps_per_epoch", &OneCycleLROptions::steps_per_epoch, util::at_least(0)},
           {"pct_start", &OneCycleLROptions::pct_start, util::between(0, 1)},
           {"anneal_strategy", &OneCycleLROptions::anneal_strategy, util::one_of({"cos", "linear"})},
           {"cycle_momentum", &OneCycleLROptions::cycle_momentum},
           {"base_momentum", &OneCycleLROptions::base_momentum},
           {"max_momentum", &OneCycleLROptions::max_momentum},
           {"div_factor", &OneCycleLROptions::div_factor, util::above(0)},
           {"final_div_factor", &OneCycleLROptions::final_div_factor, util::above(0)},
           {"three_phase", &OneCycleLROptions::three_phase}},
          {.length_flags = {"total_steps", "epochs"}, .cycles_momentum = true}};
}

OneCycleLR::OneCycleLR(optim::Optimizer& optimizer, const OneCycleLROptions& o)
    : WithOptions(optimizer), linear_(o.anneal_strategy == "linear"), cycle_momentum_(o.cycle_momentum) {
  if (o.total_steps != 0) {
    check(o.total_steps > 0, "total_steps", static_cast<double>(o.total_steps), "expected a positive integer");
    total_steps_ = o.total_steps;
  } else {
    ETA_CHECK(o.epochs != 0 || o.steps_per_epoch != 0,
              "OneCycleLR: give either total_steps or (epochs and steps_per_epoch)");
    check(o.epochs > 0, "epochs", static_cast<double>(o.epochs), "expected a positive integer");
    check(o.steps_per_epoch > 0, "steps_per_epoch", static_cast<double>(o.steps_per_epoch), "expected a positive integer");
    total_steps_ = o.epochs * o.steps_per_epoch;
  }
  check_fields(o);
  const double T = static_cast<double>(total_steps_);
  // Anchors: 0 initial_lr, 1 max_lr, 2 min_lr; momenta 0 max_momentum, 1 base_momentum.
  if (o.three_phase)
    phases_ = {{o.pct_start * T - 1, 0, 1, 0, 1}, {2 * o.pct_start * T - 2, 1, 0, 1, 0}, {T - 1, 0, 2, 0, 0}};
  else
    phases_ = {{o.pct_start * T - 1, 0, 1, 0, 1}, {T - 1, 1, 2, 1, 0}};
  auto& groups = optimizer.param_groups();
  const auto max_lrs = detail::per_group("OneCycleLR", o.max_lr, groups.size(), "max_lr");
  for (size_t g = 0; g < groups.size(); ++g) {
    const double initial = max_lrs[g] / o.div_factor;
    lrs_.push_back({initial, max_lrs[g], initial / o.final_div_factor});
    // PyTorch overwrites initial_lr here, so later schedulers see max_lr / div_factor.
    groups[g].option("initial_lr") = initial;
    base_lrs_[g] = initial;
  }
  if (cycle_momentum_) {
    const bool has_momentum = groups[0].has("momentum"), has_beta1 = groups[0].has("beta1");
    ETA_CHECK(has_momentum || has_beta1, "OneCycleLR: cycle_momentum needs an optimizer with a 'momentum' or 'beta1'",
              " option (", optimizer.name(), " has neither); pass cycle_momentum false");
    use_beta1_ = has_beta1;
    const auto max_m = detail::per_group("OneCycleLR", o.max_momentum, groups.size(), "max_momentum");
    const auto base_m = detail::per_group("OneCycleLR", o.base_momentum, groups.size(), "base_momentum");
    for (size_t g = 0; g < groups.size(); ++g) momenta_.push_back({max_m[g], base_m[g]});
  }
  initial_step();
}

double OneCycleLR::at(int64_t step, size_t group, int which) const {
  ETA_CHECK(step <= total_steps_, "OneCycleLR: tried to step ", step + 1, " times; total_steps is ", total_steps_,
            " (build it with more total_steps or epochs)");
  const double s = static_cast<double>(step);
  double start_step = 0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& ph = phases_[i];
    if (s <= ph.end_step || i == phases_.size() - 1) {
      const double pct = (s - start_step) / (ph.end_step - start_step);
      const double start = which == 0 ? lrs_.at(group)[ph.start_lr] : momenta_.at(group)[ph.start_momentum];
      const double end = which == 0 ? lrs_.at(group)[ph.end_lr] : momenta_.at(group)[ph.end_momentum];
      if (linear_) return (end - start) * pct + start;
      return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
    }
    start_step = ph.end_step;
  }
  return 0;  // unreachable: the last phase always matches
}

double OneCycleLR::lr_at(int64_t step, size_t group) const { return at(step, group, 0); }

double OneCycleLR::momentum_at(int64_t step, size_t group) const {
  ETA_CHECK(cycle_momentum_, "OneCycleLR: momentum_at() needs cycle_momentum");
  return at(step, group, 1);
}

void OneCycleLR::apply_extras(int64_t step) {
  if (!cycle_momentum_) return;
  auto& groups = optimizer().param_groups();
  for (size_t g = 0; g < groups.size(); ++g) groups[g].option(use_beta1_ ? "beta1" : "momentum") = momentum_at(step, g);
}
}  // namespace eta::sched
