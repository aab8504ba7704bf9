// Optimizer: the base every optimizer derives from. It owns the parameter groups (each with its own
// learning rate and hyper-parameters), step(), zero_grad() and a state that saves and loads by name;
// a subclass writes only the update of one parameter. Optimizers see tensors, never nn::Module.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"
#include "eta/util/hyper_params.h"

namespace eta::optim {

// Hyper-parameters by PyTorch name ("lr", "momentum", "weight_decay", ...). A map rather than a
// struct per optimizer so that code that knows nothing of the optimizer's type — schedulers that
// write "lr" or cycle "momentum"/"beta1", the state saver, the command-line factory — can read and
// write any of them without casts. Tuples are split (betas -> "beta1", "beta2"); flags are 0 or 1.
using Options = std::map<std::string, double>;

// The neutral form of a saved state: every value a tensor (scalars as 0-dim float64), named like
// "state.3.exp_avg", so io/ can write it into a safetensors checkpoint as is.
using StateDict = std::map<std::string, Tensor>;

struct ParamGroup;
class Optimizer;

// One hyper-parameter as the registry, the validation and the command line see it.
struct HyperParam {
  std::string name;      // PyTorch's, tuples split: "beta1", "beta2"
  double default_value;  // true/false as 1/0
  util::Range range = {};
};

// Everything eta knows about an optimizer, built from its Declaration (see WithOptions below).
struct OptimizerSpec {
  std::string name;                // as printed: "AdamW"
  std::vector<HyperParam> params;  // every hyper-parameter, with its default and valid range
  std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>)> make;  // groups override defaults
  double suggested_lr = 1e-3;      // what programs use when --lr is not given (PyTorch's SGD has no default)

  Options defaults() const;
  const HyperParam* find(const std::string& name) const;  // null when it has none such
};

struct ParamGroup {
  std::vector<Tensor> params;
  Options options;  // missing entries are filled from the optimizer's defaults

  double& lr() { return option("lr"); }
  double lr() const { return option("lr"); }
  bool has(const std::string& name) const { return options.count(name) != 0; }
  // The named hyper-parameter; throws eta::Error listing the group's names if it has none such.
  double& option(const std::string& name);
  double option(const std::string& name) const;
};

// The state of one parameter, indexed by its position across all groups as PyTorch does: moment
// tensors shaped like it ("exp_avg", "momentum_buffer", ...) and scalars ("step", ...). Scalars are
// 0-dim float64 tensors too, so saving and loading never has to guess which entry is which.
struct ParamState {
  std::map<std::string, Tensor> tensors;
  bool empty() const { return tensors.empty(); }
  // The named scalar, created as 0 when missing.
  double& scalar(const std::string& name);
  // The named scalar; throws eta::Error when missing.
  double scalar(const std::string& name) const;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates every parameter that has a gradient (others are skipped, their state untouched). Runs
  // without recording autograd.
  void step();
  // Drops every gradient (set_to_none, PyTorch 2's default) or, with false, fills them with zeros.
  void zero_grad(bool set_to_none = true);

  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  // Adds a group; its missing options come from defaults(). Throws on unknown or invalid options
  // and on a parameter that is already in another group.
  void add_param_group(ParamGroup group);
  // The values add_param_group() fills in; writable, like PyTorch's optimizer.defaults.
  const Options& defaults() const { return defaults_; }
  Options& defaults() { return defaults_; }
  const std::string& name() const { return name_; }
  // The hyper-parameters' names, defaults (as constructed) and ranges.
  const std::vector<HyperParam>& hyper_params() const { return params_; }
  // Sets the learning rate of every group.
  void set_lr(double lr);

  // A deep copy of the state and the groups' hyper-parameters:
  //   "param_groups.<g>.<option>" (0-dim float64), "param_groups.<g>.params" (int64 indices),
  //   "state.<i>.<name>" (cloned; scalars such as "step" are 0-dim float64).
  StateDict state_dict() const;
  // Restores what state_dict() wrote. Checks group count, parameter indices and every state
  // tensor's shape first; a rejected load leaves the optimizer untouched.
  void load_state_dict(const StateDict& state);
  // The state of the i-th parameter (across groups), for tests and inspection.
  const ParamState& state(size_t index) const;

 protected:
  // `defaults` holds every hyper-parameter of `spec` (the values this instance was constructed
  // with); a group may override any of them but add none. The subclass constructor then calls
  // add_param_groups() — not this constructor, so that its own validate() already applies.
  Optimizer(const OptimizerSpec& spec, Options defaults);
  // For quick optimizers without a spec: any values accepted except a negative "lr".
  Optimizer(std::string name, Options defaults);
  void add_param_groups(std::vector<ParamGroup> groups);

  // Checks one group's hyper-parameters (called on construction, on add_param_group and before
  // every step, so a learning rate set to -1 by hand is caught). The base checks each against its
  // range in the spec; override only for rules between parameters, calling the base.
  virtual void validate(const Options& options) const;
  // The update of one parameter with a gradient: `param` and `grad` are contiguous, same dtype
  // (float32 or float64), and `state` is empty on the first step.
  virtual void update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) = 0;
  // Called once per group before its parameters' updates, with those of its parameters that have a
  // gradient (grads contiguous, in the parameters' dtype) and their states: for rules over a whole
  // group, such as a learning rate learned from the gradients (SGDHD, AdamHD). Default: nothing.
  virtual void before_group(ParamGroup& /*group*/, const std::vector<Tensor>& /*params*/,
                            const std::vector<Tensor>& /*grads*/, const std::vector<ParamState*>& /*states*/) {}

  // Validation helpers: "<optimizer>: invalid <name>: <value> (expected ...)".
  void check_nonnegative(const Options& o, const std::string& name) const;
  void check_unit_interval(const Options& o, const std::string& name, bool include_one) const;

 private:
  std::string name_;
  std::vector<HyperParam> params_;
  Options defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<ParamState> state_;  // by parameter position across groups
};

// What an optimizer's .cpp declares about it, once: its name as printed, the learning rate
// programs use when --lr is not given, and its options struct's fields (PyTorch's name, member,
// valid range; the struct's initialisers are the defaults).
template <class Opts>
struct Declaration {
  std::string name;
  double suggested_lr;
  util::Fields<Opts> fields;
};

// One group holding `params`, for the common single-group constructors.
inline std::vector<ParamGroup> single_group(std::vector<Tensor> params) {
  std::vector<ParamGroup> groups(1);
  groups[0].params = std::move(params);
  return groups;
}

// The frame every optimizer with an options struct shares, so that its own files hold only its
// declaration and its update: Self derives from WithOptions<Self, Opts> (or, to reuse another
// optimizer's update, WithOptions<Self, Opts, Other>), writes `using WithOptions::WithOptions;` and
// defines `static Declaration<Opts> declaration();` (called once). Rules between fields (SGD's nesterov)
// go in `static void check_rules(const Options&)`, run before the ranges are checked. update() reads
// a group's values as an Opts through options_of(group).
template <class Self, class Opts, class Base = Optimizer>
class WithOptions : public Base {
 public:
  explicit WithOptions(std::vector<Tensor> params, const Opts& options = {})
      : WithOptions(single_group(std::move(params)), options) {}
  explicit WithOptions(std::vector<ParamGroup> groups, const Opts& options = {})
      : Base(spec(), util::numeric_values(declared().fields, options)) {
    // Here, not in Optimizer's constructor, so that validate() below already applies.
    this->add_param_groups(std::move(groups));
  }
  // Hyper-parameters (names, ranges; defaults from the options struct) and factory, for the registry.
  static const OptimizerSpec& spec() {
    static const OptimizerSpec s = make_spec();
    return s;
  }

 protected:
  WithOptions(const OptimizerSpec& spec, Options defaults) : Base(spec, std::move(defaults)) {}
  static void check_rules(const Options& /*options*/) {}
  // A group's hyper-parameters as the options struct, each read under its declared name, so that
  // update() uses typed fields (o.lr, o.maximize) and never spells a name again.
  static Opts options_of(const ParamGroup& group) {
    return util::from_numeric_values(declared().fields, [&](const std::string& name) { return group.option(name); });
  }
  void validate(const Options& options) const override {
    Self::check_rules(options);
    Base::validate(options);
  }

 private:
  static const Declaration<Opts>& declared() {
    static const Declaration<Opts> d = Self::declaration();
    return d;
  }
  static OptimizerSpec make_spec() {
    const Declaration<Opts>& d = declared();
    OptimizerSpec spec{d.name, {}, [](std::vector<ParamGroup> groups) -> std::unique_ptr<Optimizer> {
                         return std::make_unique<Self>(std::move(groups));
                       }, d.suggested_lr};
    const auto defaults = util::numeric_values(d.fields, Opts{});
    for (const auto& f : d.fields) spec.params.push_back({f.name, defaults.at(f.name), f.range});
    return spec;
  }
};

// Scales all gradients together so that their global norm is at most max_norm (PyTorch's
// clip_grad_norm_: coefficient max_norm / (norm + 1e-6), never above 1). norm_type may be
// infinity. Returns the total norm before clipping. Parameters without a gradient are ignored.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace eta::optim
