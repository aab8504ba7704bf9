// Scheduler: the base of every learning-rate schedule. A scheduler owns no parameters; it computes
// the learning rate of each parameter group for step t — a pure function lr_at(t, group), so the
// schedule can be printed or plotted without training and resumed from the step count alone — and
// step() writes it into the optimizer. It sees only the optimizer's parameter groups.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eta/optim/optimizer.h"
#include "eta/util/hyper_params.h"

namespace eta::sched {

using optim::StateDict;
using Flags = util::Flags;
class Scheduler;

// What programs need to know to drive a scheduler without naming it.
struct SchedulerTraits {
  // Flags that set the schedule's length; when none is given, a program passes the run's length
  // (in steps, after any warm-up) to the first: OneCycleLR {total_steps, epochs}, CosineAnnealingLR {T_max}.
  std::vector<std::string> length_flags = {};
  bool cycles_momentum = false;  // writes the optimizer's momentum or beta1 unless cycle_momentum is false
  bool on_metric = false;        // stepped as step(metric), once per epoch (ReduceLROnPlateau)
};

// Everything eta knows about a scheduler, built from its Declaration (see WithOptions below).
struct SchedulerSpec {
  std::string name;                // as printed, e.g. "OneCycleLR"
  std::vector<std::string> flags;  // accepted flag names (PyTorch's argument names)
  bool composite = false;          // also accepts "<child>.<flag>" flags
  std::function<std::unique_ptr<Scheduler>(optim::Optimizer&, const Flags&)> make;
  SchedulerTraits traits = {};
};

// The spec of scheduler S whose options struct Opts declares each argument once (the struct's
// initialisers are the defaults): flags are the fields' names, and make parses them into an Opts
// and calls S(optimizer, options), whose constructor checks them with util::check_fields.
template <class S, class Opts>
SchedulerSpec describe(const std::string& name, const util::Fields<Opts>& fields, SchedulerTraits traits = {}) {
  return {name, util::field_names(fields), false,
          [name, fields](optim::Optimizer& optimizer, const Flags& flags) -> std::unique_ptr<Scheduler> {
            return std::make_unique<S>(optimizer, util::parse_fields(name, fields, flags));
          },
          std::move(traits)};
}

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The learning rate of `group` at step `step` (0 = before any step()), from the base learning
  // rates; no side effects. Schedules that depend on observed values (ReduceLROnPlateau) throw.
  virtual double lr_at(int64_t step, size_t group = 0) const = 0;
  // Advances one step (per batch or per epoch: the caller decides what a step is) and writes the
  // new learning rates (and cycled momenta) into the optimizer's groups.
  virtual void step();
  // For schedulers driven by a metric; the others ignore it and step().
  virtual void step(double metric);

  int64_t last_epoch() const { return last_epoch_; }  // PyTorch's name: the number of step() calls
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  optim::Optimizer& optimizer() const { return *optimizer_; }
  const std::string& name() const { return name_; }

  // PyTorch's chainable form: the learning rate this scheduler makes of `current` at `step`, used
  // by ChainedScheduler. Multiplicative schedules (StepLR, ExponentialLR, ...) scale `current` by
  // their per-step factor; absolute ones (OneCycleLR, CyclicLR, ...) ignore it and return lr_at.
  virtual double chained_lr(double current, int64_t step, size_t group) const;

  // "last_epoch", "base_lrs.<g>", "last_lr.<g>" as 0-dim float64 tensors (plus a subclass's own
  // entries). Loading also writes the restored learning rates into the optimizer.
  virtual StateDict state_dict() const;
  virtual void load_state_dict(const StateDict& state);

  // Writes the values for `step` into the groups without changing last_epoch; `chained` maps each
  // group's current learning rate through chained_lr() instead of lr_at(). For composite schedulers.
  void apply(int64_t step, bool chained);
  // Side effects beyond the learning rate (momentum cycling) for `step`; public for composites.
  virtual void apply_extras(int64_t /*step*/) {}

 protected:
  // Records each group's "initial_lr" (set once, by the first scheduler, as PyTorch does) as this
  // scheduler's base learning rate.
  Scheduler(std::string name, optim::Optimizer& optimizer);
  // PyTorch steps a scheduler once on construction (last_epoch -1 -> 0, lr set to lr_at(0)). A
  // subclass calls this at the end of its constructor, when lr_at() is ready.
  void initial_step();

  // Throws "<name>: invalid <what>: <value> (<expected>)" when !ok.
  void check(bool ok, const std::string& what, double value, const std::string& expected) const;

  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
  std::vector<double> last_lr_;

 private:
  std::string name_;
  optim::Optimizer* optimizer_;
};

// What a scheduler's .cpp declares about it, once: its name as printed, its options struct's fields
// (PyTorch's argument names, members, valid ranges; the struct's initialisers are the defaults) and
// what programs need to know to drive it.
template <class Opts>
struct Declaration {
  std::string name;
  util::Fields<Opts> fields;
  SchedulerTraits traits = {};
};

// The frame every scheduler with an options struct shares: Self derives from WithOptions<Self, Opts>,
// defines `static Declaration<Opts> declaration();` (called once) and gets spec() and the name and
// field checks in its constructor, which ends with initial_step().
template <class Self, class Opts>
class WithOptions : public Scheduler {
 public:
  static const SchedulerSpec& spec() {
    static const SchedulerSpec s = describe<Self>(declared().name, declared().fields, declared().traits);
    return s;
  }

 protected:
  // Checks `options` against the declared fields before anything else.
  WithOptions(optim::Optimizer& optimizer, const Opts& options) : WithOptions(optimizer) { check_fields(options); }
  // For a scheduler whose own checks come first: it calls check_fields() itself.
  explicit WithOptions(optim::Optimizer& optimizer) : Scheduler(declared().name, optimizer) {}
  void check_fields(const Opts& options) const { util::check_fields(name(), declared().fields, options); }

 private:
  static const Declaration<Opts>& declared() {
    static const Declaration<Opts> d = Self::declaration();
    return d;
  }
};

}  // namespace eta::sched
