// The scheduler registry: the built-in schedulers' specs plus any registered by the user.
#include "eta/sched/registry.h"

#include <algorithm>

#include "eta/error.h"
#include "eta/sched/chained_scheduler.h"
#include "eta/sched/constant_lr.h"
#include "eta/sched/cosine_annealing_lr.h"
#include "eta/sched/cosine_annealing_warm_restarts.h"
#include "eta/sched/cyclic_lr.h"
#include "eta/sched/exponential_lr.h"
#include "eta/sched/inverse_sqrt_lr.h"
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

std::unique_ptr<Scheduler> make_composite(const std::string& name, optim::Optimizer& opt, const Flags& flags,
                                          bool sequential) {
  auto value = [&](const std::string& key) -> std::string {
    for (const auto& [k, v] : flags)
      if (util::fields_detail::same_flag(k, key)) return v;
    detail::throw_error(name, ": --", key, " is required");
  };
  const std::string list = value("schedulers");
  const auto children = util::split(list, ',');
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
    ETA_CHECK(match < children.size(), name, ": --", key, " names no scheduler in --schedulers ", list);
    child_flags[match][key.substr(dot + 1)] = value;
  }
  std::vector<std::unique_ptr<Scheduler>> built;
  for (size_t i = 0; i < children.size(); ++i) built.push_back(make_scheduler(children[i], opt, child_flags[i]));
  if (sequential)
    return std::make_unique<SequentialLR>(opt, std::move(built), util::parse_int_list(name + ": --milestones", value("milestones")));
  return std::make_unique<ChainedScheduler>(std::move(built));
}

// A composite takes its children by name, so it is built here rather than by describe().
SchedulerSpec composite(const std::string& name, std::vector<std::string> flags, bool sequential) {
  return {name, std::move(flags), true, [name, sequential](optim::Optimizer& o, const Flags& f) {
            return make_composite(name, o, f, sequential);
          }};
}

// The built-in schedulers, one line each, registered on first use.
util::NamedRegistry<SchedulerSpec>& registry() {
  static util::NamedRegistry<SchedulerSpec> r("scheduler", {
      StepLR::spec(),
      MultiStepLR::spec(),
      ExponentialLR::spec(),
      CosineAnnealingLR::spec(),
      CosineAnnealingWarmRestarts::spec(),
      LinearLR::spec(),
      ConstantLR::spec(),
      PolynomialLR::spec(),
      OneCycleLR::spec(),
      CyclicLR::spec(),
      ReduceLROnPlateau::spec(),
      InverseSqrtLR::spec(),
      composite("SequentialLR", {"schedulers", "milestones"}, /*sequential=*/true),
      composite("ChainedScheduler", {"schedulers"}, /*sequential=*/false),
  });
  return r;
}

}  // namespace

void register_scheduler(SchedulerSpec spec) { registry().add(std::move(spec)); }

std::vector<std::string> scheduler_names() { return registry().names(); }

SchedulerSpec scheduler_spec(const std::string& name) { return registry().find(name); }

std::vector<std::string> scheduler_flags(const std::string& name) { return registry().find(name).flags; }

std::unique_ptr<Scheduler> make_scheduler(const std::string& name, optim::Optimizer& optimizer, const Flags& flags) {
  const SchedulerSpec f = registry().find(name);
  for (const auto& entry : flags) {
    // A named reference, not a structured binding: clang before 16 cannot capture bindings in lambdas.
    const std::string& key = entry.first;
    if (f.composite && key.find('.') != std::string::npos) continue;
    const bool known = std::any_of(f.flags.begin(), f.flags.end(), [&](const std::string& v) {
      return util::fields_detail::same_flag(v, key);
    });
    ETA_CHECK(known, f.name, ": unknown flag --", key, " (valid: ", util::join(f.flags), ")");
  }
  return f.make(optimizer, flags);
}

}  // namespace eta::sched
