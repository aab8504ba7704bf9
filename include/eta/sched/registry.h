// Building schedulers from strings, for programs: make_scheduler("CosineAnnealingLR", optimizer,
// {{"T_max", "100"}}). Names and flags are PyTorch's (matched case-insensitively, '_' and '-'
// ignored in names); lists are comma-separated. Composites take their children by name:
//   {"schedulers", "LinearLR,CosineAnnealingLR"}, {"milestones", "5"}, {"0.start_factor", "0.1"},
//   {"CosineAnnealingLR.T_max", "95"}   — a child's flags are prefixed by its index or its name.
// LambdaLR takes a C++ function and is built in code only.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

using Flags = std::map<std::string, std::string>;

struct SchedulerFactory {
  std::string name;                // as printed, e.g. "OneCycleLR"
  std::vector<std::string> flags;  // accepted flag names
  bool composite = false;          // accepts "<child>.<flag>" flags
  std::function<std::unique_ptr<Scheduler>(optim::Optimizer&, const Flags&)> make;
};

void register_scheduler(SchedulerFactory factory);
std::vector<std::string> scheduler_names();
std::vector<std::string> scheduler_flags(const std::string& name);
// Unknown names or flags, missing required flags and malformed values throw eta::Error listing the
// valid ones.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name, optim::Optimizer& optimizer, const Flags& flags = {});

}  // namespace eta::sched
