// Scheduler base: base learning rates, stepping, chaining, state save/load.
#include "eta/sched/scheduler.h"

#include <sstream>

#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta::sched {

Scheduler::Scheduler(std::string name, optim::Optimizer& optimizer) : name_(std::move(name)), optimizer_(&optimizer) {
  for (auto& g : optimizer.param_groups()) {
    g.options.emplace("initial_lr", g.lr());
    base_lrs_.push_back(g.option("initial_lr"));
  }
  last_lr_.assign(base_lrs_.size(), 0.0);
}

void Scheduler::initial_step() {
  apply(0, /*chained=*/false);
  last_epoch_ = 0;
}

void Scheduler::step() {
  const int64_t next = last_epoch_ + 1;
  apply(next, /*chained=*/false);  // throws before anything changes if `next` is out of range
  last_epoch_ = next;
}

void Scheduler::step(double /*metric*/) { step(); }

double Scheduler::chained_lr(double /*current*/, int64_t step, size_t group) const { return lr_at(step, group); }

void Scheduler::apply(int64_t step, bool chained) {
  auto& groups = optimizer_->param_groups();
  ETA_CHECK(groups.size() == base_lrs_.size(), name_, ": the optimizer has ", groups.size(),
            " parameter groups but the scheduler was built for ", base_lrs_.size());
  std::vector<double> lrs(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) lrs[g] = chained ? chained_lr(groups[g].lr(), step, g) : lr_at(step, g);
  for (size_t g = 0; g < groups.size(); ++g) groups[g].lr() = lrs[g];
  last_lr_ = lrs;
  apply_extras(step);
}

void Scheduler::check(bool ok, const std::string& what, double value, const std::string& expected) const {
  if (ok) return;
  std::ostringstream os;
  os.precision(17);
  os << value;
  detail::throw_error(name_, ": invalid ", what, ": ", os.str(), " (", expected, ")");
}

StateDict Scheduler::state_dict() const {
  StateDict out;
  out["last_epoch"] = scalar_tensor(static_cast<double>(last_epoch_), kFloat64);
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    out["base_lrs." + std::to_string(g)] = scalar_tensor(base_lrs_[g], kFloat64);
    out["last_lr." + std::to_string(g)] = scalar_tensor(last_lr_[g], kFloat64);
  }
  return out;
}

void Scheduler::load_state_dict(const StateDict& state) {
  auto get = [&](const std::string& key) {
    const auto it = state.find(key);
    ETA_CHECK(it != state.end(), name_, ": load_state_dict: missing '", key, "'");
    ETA_CHECK(it->second.numel() == 1, name_, ": load_state_dict: '", key, "' must hold one value");
    return it->second.item();
  };
  const int64_t epoch = static_cast<int64_t>(get("last_epoch"));
  std::vector<double> base(base_lrs_.size()), last(base_lrs_.size());
  for (size_t g = 0; g < base.size(); ++g) {
    base[g] = get("base_lrs." + std::to_string(g));
    last[g] = get("last_lr." + std::to_string(g));
  }
  ETA_CHECK(!state.count("base_lrs." + std::to_string(base.size())), name_, ": load_state_dict: the state has more",
            " parameter groups than this optimizer's ", base.size());
  last_epoch_ = epoch;
  base_lrs_ = base;
  last_lr_ = last;
  auto& groups = optimizer_->param_groups();
  for (size_t g = 0; g < groups.size() && g < last.size(); ++g) groups[g].lr() = last[g];
  if (last_epoch_ >= 0) apply_extras(last_epoch_);
}

}  // namespace eta::sched
