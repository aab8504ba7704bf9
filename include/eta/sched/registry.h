// Building schedulers from strings, for programs: make_scheduler("CosineAnnealingLR", optimizer,
// {{"T_max", "100"}}). Names and flags are PyTorch's (matched case-insensitively, '_' and '-'
// ignored in names); lists are comma-separated. Composites take their children by name:
//   {"schedulers", "LinearLR,CosineAnnealingLR"}, {"milestones", "5"}, {"0.start_factor", "0.1"},
//   {"CosineAnnealingLR.T_max", "95"}   — a child's flags are prefixed by its index or its name.
// LambdaLR takes a C++ function and is built in code only. Everything here reads each scheduler
// SchedulerSpec (scheduler.h), declared once in its .cpp.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

using SchedulerFactory = SchedulerSpec;  // the name before specs carried traits

// Adds (or replaces) a scheduler under canonical_name(spec.name).
void register_scheduler(SchedulerSpec spec);
std::vector<std::string> scheduler_names();
// The spec registered under `name` (any case): flags and traits; unknown names throw.
SchedulerSpec scheduler_spec(const std::string& name);
std::vector<std::string> scheduler_flags(const std::string& name);
// Unknown names or flags, missing required flags and malformed values throw eta::Error listing the
// valid ones.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name, optim::Optimizer& optimizer, const Flags& flags = {});

}  // namespace eta::sched
