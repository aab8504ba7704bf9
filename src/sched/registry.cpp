// The scheduler registry: every built-in scheduler's flags and how to build it from them.
#include "eta/sched/registry.h"

#include <algorithm>
#include <cctype>

#include "eta/error.h"
#include "eta/sched/chained_scheduler.h"
#include "eta/sched/constant_lr.h"
#include "eta/sched/cosine_annealing_lr.h"
#include "eta/sched/cosine_annealing_warm_restarts.h"
#include "eta/sched/cyclic_lr.h"
#include "eta/sched/exponential_lr.h"
#include "eta/sched/linear_lr.h"
#include "eta/sched/multi_step_lr.h"
#include "eta/sched/one_cycle_lr.h"
#include "eta/sched/polynomial_lr.h"
#include "eta/sched/reduce_lr_on_plateau.h"
#include "eta/sched/sequential_lr.h"
#include "eta/sched/step_lr.h"
#include "eta/util/parse.h"
#include "util/named_registry.h"

namespace eta::sched {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Typed access to one scheduler's flags (keys compared case-insensitively).
class FlagReader {
 public:
  FlagReader(std::string scheduler, const Flags& flags) : scheduler_(std::move(scheduler)) {
    for (const auto& [k, v] : flags) flags_[lower(k)] = {k, v};
  }
  bool has(const std::string& name) const { return flags_.count(lower(name)) != 0; }
  const std::string& text(const std::string& name) const {
    const auto it = flags_.find(lower(name));
    ETA_CHECK(it != flags_.end(), scheduler_, ": --", name, " is required");
    return it->second.second;
  }
  std::string where(const std::string& name) const { return scheduler_ + ": --" + name; }
  double num(const std::string& name, double def) const { return has(name) ? num(name) : def; }
  double num(const std::string& name) const { return util::parse_double(where(name), text(name)); }
  int64_t integer(const std::string& name, int64_t def) const { return has(name) ? integer(name) : def; }
  int64_t integer(const std::string& name) const { return util::parse_int(where(name), text(name)); }
  bool boolean(const std::string& name, bool def) const {
    return has(name) ? util::parse_bool(where(name), text(name)) : def;
  }
  std::string str(const std::string& name, const std::string& def) const { return has(name) ? text(name) : def; }
  std::vector<double> nums(const std::string& name) const {
    auto v = util::parse_double_list(where(name), text(name));
    ETA_CHECK(!v.empty(), where(name), ": expected at least one value");
    return v;
  }
  std::vector<double> nums(const std::string& name, std::vector<double> def) const {
    return has(name) ? nums(name) : def;
  }
  std::vector<int64_t> integers(const std::string& name) const {
    return util::parse_int_list(where(name), text(name));
  }

 private:
  std::string scheduler_;
  std::map<std::string, std::pair<std::string, std::string>> flags_;  // lower-case key -> (key, value)
};

using Maker = std::function<std::unique_ptr<Scheduler>(optim::Optimizer&, const FlagReader&)>;

SchedulerFactory builtin(const std::string& name, std::vector<std::string> flags, Maker make) {
  return {name, std::move(flags), false, [name, make](optim::Optimizer& opt, const Flags& f) {
            return make(opt, FlagReader(name, f));
          }};
}

std::unique_ptr<Scheduler> make_composite(const std::string& name, optim::Optimizer& opt, const Flags& flags,
                                          bool sequential) {
  FlagReader r(name, flags);
  const auto children = util::split(r.text("schedulers"), ',');
  // Split "<child>.<flag>" flags by child; the prefix is the child's index or its name.
  std::vector<Flags> child_flags(children.size());
  for (const auto& [key, value] : flags) {
    const auto dot = key.find('.');
    if (dot == std::string::npos) continue;
    const std::string prefix = key.substr(0, dot);
    size_t match = children.size();
    for (size_t i = 0; i < children.size(); ++i)
      if (prefix == std::to_string(i) || util::canonical_name(prefix) == util::canonical_name(children[i])) {
        ETA_CHECK(match == children.size(), name, ": --", key, " matches more than one scheduler; prefix it with the ",
                  "scheduler's index instead");
        match = i;
      }
    ETA_CHECK(match < children.size(), name, ": --", key, " names no scheduler in --schedulers ",
              r.text("schedulers"));
    child_flags[match][key.substr(dot + 1)] = value;
  }
  std::vector<std::unique_ptr<Scheduler>> built;
  for (size_t i = 0; i < children.size(); ++i) built.push_back(make_scheduler(children[i], opt, child_flags[i]));
  if (sequential) return std::make_unique<SequentialLR>(opt, std::move(built), r.integers("milestones"));
  return std::make_unique<ChainedScheduler>(std::move(built));
}

// The built-in schedulers, registered on first use.
struct Registry : util::NamedRegistry<SchedulerFactory> {
  Registry() {
    add(builtin("StepLR", {"step_size", "gamma"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<StepLR>(o, r.integer("step_size"), r.num("gamma", 0.1));
    }));
    add(builtin("MultiStepLR", {"milestones", "gamma"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<MultiStepLR>(o, r.integers("milestones"), r.num("gamma", 0.1));
    }));
    add(builtin("ExponentialLR", {"gamma"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<ExponentialLR>(o, r.num("gamma"));
    }));
    add(builtin("CosineAnnealingLR", {"T_max", "eta_min"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<CosineAnnealingLR>(o, r.integer("T_max"), r.num("eta_min", 0));
    }));
    add(builtin("CosineAnnealingWarmRestarts", {"T_0", "T_mult", "eta_min"},
                [](optim::Optimizer& o, const FlagReader& r) {
                  return std::make_unique<CosineAnnealingWarmRestarts>(o, r.integer("T_0"), r.integer("T_mult", 1),
                                                                       r.num("eta_min", 0));
                }));
    add(builtin("LinearLR", {"start_factor", "end_factor", "total_iters"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<LinearLR>(o, r.num("start_factor", 1.0 / 3), r.num("end_factor", 1.0),
                                        r.integer("total_iters", 5));
    }));
    add(builtin("ConstantLR", {"factor", "total_iters"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<ConstantLR>(o, r.num("factor", 1.0 / 3), r.integer("total_iters", 5));
    }));
    add(builtin("PolynomialLR", {"total_iters", "power"}, [](optim::Optimizer& o, const FlagReader& r) {
      return std::make_unique<PolynomialLR>(o, r.integer("total_iters", 5), r.num("power", 1.0));
    }));
    add(builtin("OneCycleLR",
                {"max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy", "cycle_momentum",
                 "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase"},
                [](optim::Optimizer& o, const FlagReader& r) {
                  OneCycleLROptions c;
                  c.max_lr = r.nums("max_lr");
                  c.total_steps = r.integer("total_steps", 0);
                  c.epochs = r.integer("epochs", 0);
                  c.steps_per_epoch = r.integer("steps_per_epoch", 0);
                  c.pct_start = r.num("pct_start", c.pct_start);
                  c.anneal_strategy = r.str("anneal_strategy", c.anneal_strategy);
                  c.cycle_momentum = r.boolean("cycle_momentum", c.cycle_momentum);
                  c.base_momentum = r.nums("base_momentum", c.base_momentum);
                  c.max_momentum = r.nums("max_momentum", c.max_momentum);
                  c.div_factor = r.num("div_factor", c.div_factor);
                  c.final_div_factor = r.num("final_div_factor", c.final_div_factor);
                  c.three_phase = r.boolean("three_phase", c.three_phase);
                  return std::make_unique<OneCycleLR>(o, c);
                }));
    add(builtin("CyclicLR",
                {"base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma", "cycle_momentum",
                 "base_momentum", "max_momentum"},
                [](optim::Optimizer& o, const FlagReader& r) {
                  CyclicLROptions c;
                  c.base_lr = r.nums("base_lr");
                  c.max_lr = r.nums("max_lr");
                  c.step_size_up = r.integer("step_size_up", c.step_size_up);
                  c.step_size_down = r.integer("step_size_down", 0);
                  c.mode = r.str("mode", c.mode);
                  c.gamma = r.num("gamma", c.gamma);
                  c.cycle_momentum = r.boolean("cycle_momentum", c.cycle_momentum);
                  c.base_momentum = r.nums("base_momentum", c.base_momentum);
                  c.max_momentum = r.nums("max_momentum", c.max_momentum);
                  return std::make_unique<CyclicLR>(o, c);
                }));
    add(builtin("ReduceLROnPlateau",
                {"mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"},
                [](optim::Optimizer& o, const FlagReader& r) {
                  ReduceLROnPlateauOptions c;
                  c.mode = r.str("mode", c.mode);
                  c.factor = r.num("factor", c.factor);
                  c.patience = r.integer("patience", c.patience);
                  c.threshold = r.num("threshold", c.threshold);
                  c.threshold_mode = r.str("threshold_mode", c.threshold_mode);
                  c.cooldown = r.integer("cooldown", c.cooldown);
                  c.min_lr = r.nums("min_lr", c.min_lr);
                  c.eps = r.num("eps", c.eps);
                  return std::make_unique<ReduceLROnPlateau>(o, c);
                }));
    add({"SequentialLR", {"schedulers", "milestones"}, true, [](optim::Optimizer& o, const Flags& f) {
           return make_composite("SequentialLR", o, f, true);
         }});
    add({"ChainedScheduler", {"schedulers"}, true, [](optim::Optimizer& o, const Flags& f) {
           return make_composite("ChainedScheduler", o, f, false);
         }});
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

SchedulerFactory find(const std::string& name) { return registry().find(name, "make_scheduler", "scheduler"); }

}  // namespace

void register_scheduler(SchedulerFactory factory) {
  ETA_CHECK(!factory.name.empty() && factory.make, "register_scheduler: a factory needs a name and a make function");
  registry().add(std::move(factory));
}

std::vector<std::string> scheduler_names() { return registry().names(); }

std::vector<std::string> scheduler_flags(const std::string& name) { return find(name).flags; }

std::unique_ptr<Scheduler> make_scheduler(const std::string& name, optim::Optimizer& optimizer, const Flags& flags) {
  const SchedulerFactory f = find(name);
  for (const auto& entry : flags) {
    // A named reference, not a structured binding: clang before 16 cannot capture bindings in lambdas.
    const std::string& key = entry.first;
    if (f.composite && key.find('.') != std::string::npos) continue;
    const bool known = std::any_of(f.flags.begin(), f.flags.end(), [&](const std::string& v) { return lower(v) == lower(key); });
    ETA_CHECK(known, f.name, ": unknown flag --", key, " (valid: ", util::join(f.flags), ")");
  }
  return f.make(optimizer, flags);
}

}  // namespace eta::sched
