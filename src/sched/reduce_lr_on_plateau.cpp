// ReduceLROnPlateau, PyTorch's rules: a metric is better than the best so far by a relative or
// absolute threshold; more than `patience` non-improving steps (not counted during cooldown) reduce
// each group's lr to max(lr·factor, min_lr), unless that changes it by less than eps.
#include "eta/sched/reduce_lr_on_plateau.h"

#include <algorithm>
#include <limits>

#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta::sched {

Declaration<ReduceLROnPlateauOptions> ReduceLROnPlateau::declaration() {
  return {"ReduceLROnPlateau",
          {{"mode", &ReduceLROnPlateauOptions::mode, util::one_of({"min", "max"})},
           {"factor", &ReduceLROnPlateauOptions::factor, util::between(0, 1, /*hi_open=*/true)},
           {"patience", &ReduceLROnPlateauOptions::patience, util::at_least(0)},
           {"threshold", &ReduceLROnPlateauOptions::threshold},
           {"threshold_mode", &ReduceLROnPlateauOptions::threshold_mode, util::one_of({"rel", "abs"})},
           {"cooldown", &ReduceLROnPlateauOptions::cooldown, util::at_least(0)},
           {"min_lr", &ReduceLROnPlateauOptions::min_lr, util::at_least(0)},
           {"eps", &ReduceLROnPlateauOptions::eps}},
          {.on_metric = true}};
}

ReduceLROnPlateau::ReduceLROnPlateau(optim::Optimizer& optimizer, const ReduceLROnPlateauOptions& o)
    : WithOptions(optimizer, o), o_(o) {
  const size_t groups = optimizer.param_groups().size();
  ETA_CHECK(o.min_lr.size() == 1 || o.min_lr.size() == groups, "ReduceLROnPlateau: expected 1 or ", groups,
            " min_lrs, got ", o.min_lr.size());
  min_lrs_ = o.min_lr.size() == 1 ? std::vector<double>(groups, o.min_lr[0]) : o.min_lr;
  best_ = o.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  // No initial step: PyTorch's plateau scheduler leaves the learning rate as it finds it.
  last_epoch_ = 0;
  for (size_t g = 0; g < groups; ++g) last_lr_[g] = optimizer.param_groups()[g].lr();
}

double ReduceLROnPlateau::lr_at(int64_t, size_t) const {
  detail::throw_error("ReduceLROnPlateau: the learning rate depends on the metrics passed to step(metric); ",
                      "it has no fixed schedule");
}

void ReduceLROnPlateau::step() {
  detail::throw_error("ReduceLROnPlateau: call step(metric) with the value to watch (e.g. the validation loss)");
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  if (o_.mode == "min") return o_.threshold_mode == "rel" ? a < best * (1. - o_.threshold) : a < best - o_.threshold;
  return o_.threshold_mode == "rel" ? a > best * (o_.threshold + 1.) : a > best + o_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad steps during cooldown do not count
  }
  auto& groups = optimizer().param_groups();
  if (num_bad_epochs_ > o_.patience) {
    for (size_t g = 0; g < groups.size(); ++g) {
      const double old_lr = groups[g].lr();
      const double new_lr = std::max(old_lr * o_.factor, min_lrs_[g]);
      if (old_lr - new_lr > o_.eps) groups[g].lr() = new_lr;
    }
    cooldown_counter_ = o_.cooldown;
    num_bad_epochs_ = 0;
  }
  for (size_t g = 0; g < groups.size(); ++g) last_lr_[g] = groups[g].lr();
}

StateDict ReduceLROnPlateau::state_dict() const {
  StateDict out = Scheduler::state_dict();
  out["best"] = scalar_tensor(best_, kFloat64);
  out["num_bad_epochs"] = scalar_tensor(static_cast<double>(num_bad_epochs_), kFloat64);
  out["cooldown_counter"] = scalar_tensor(static_cast<double>(cooldown_counter_), kFloat64);
  return out;
}

void ReduceLROnPlateau::load_state_dict(const StateDict& state) {
  for (const char* key : {"best", "num_bad_epochs", "cooldown_counter"})
    ETA_CHECK(state.count(key), "ReduceLROnPlateau: load_state_dict: missing '", key, "'");
  Scheduler::load_state_dict(state);
  best_ = state.at("best").item();
  num_bad_epochs_ = static_cast<int64_t>(state.at("num_bad_epochs").item());
  cooldown_counter_ = static_cast<int64_t>(state.at("cooldown_counter").item());
}
}  // namespace eta::sched
