// Optimizer base: parameter groups, the step loop, state save/load, gradient clipping.
#include "eta/optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

std::string names_of(const Options& o) {
  std::string s;
  for (const auto& [k, v] : o) s += (s.empty() ? "" : ", ") + k;
  return s;
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

Tensor scalar(double v) { return scalar_tensor(v, kFloat64); }

double scalar_of(const Tensor& t, const std::string& key) {
  ETA_CHECK(t.defined() && t.numel() == 1, "load_state_dict: '", key, "' must hold one value");
  return t.item();
}

}  // namespace

double& ParamState::scalar(const std::string& name) {
  auto it = tensors.find(name);
  if (it == tensors.end()) it = tensors.emplace(name, scalar_tensor(0, kFloat64)).first;
  ETA_CHECK(it->second.dim() == 0 && it->second.dtype() == kFloat64, "optimizer state: '", name,
            "' is a tensor, not a scalar");
  return *it->second.data_ptr<double>();
}

double ParamState::scalar(const std::string& name) const {
  const auto it = tensors.find(name);
  ETA_CHECK(it != tensors.end(), "optimizer state: no scalar '", name, "'");
  return it->second.item();
}

double& ParamGroup::option(const std::string& name) {
  const auto it = options.find(name);
  ETA_CHECK(it != options.end(), "param group: no option '", name, "' (it has: ", names_of(options), ")");
  return it->second;
}

double ParamGroup::option(const std::string& name) const {
  const auto it = options.find(name);
  ETA_CHECK(it != options.end(), "param group: no option '", name, "' (it has: ", names_of(options), ")");
  return it->second;
}

Options OptimizerSpec::defaults() const {
  Options out;
  for (const auto& p : params) out[p.name] = p.default_value;
  return out;
}

const HyperParam* OptimizerSpec::find(const std::string& key) const {
  for (const auto& p : params)
    if (p.name == key) return &p;
  return nullptr;
}

Optimizer::Optimizer(const OptimizerSpec& spec, Options defaults)
    : name_(spec.name), params_(spec.params), defaults_(std::move(defaults)) {
  ETA_CHECK(defaults_.count("lr"), name_, ": defaults must contain 'lr'");
  for (auto& p : params_) {
    ETA_CHECK(defaults_.count(p.name), name_, ": no value for hyper-parameter '", p.name, "'");
    p.default_value = defaults_.at(p.name);
  }
  ETA_CHECK(defaults_.size() == params_.size(), name_, ": defaults (", names_of(defaults_),
            ") do not match the spec's hyper-parameters");
}

Optimizer::Optimizer(std::string name, Options defaults) : name_(std::move(name)), defaults_(std::move(defaults)) {
  ETA_CHECK(defaults_.count("lr"), name_, ": defaults must contain 'lr'");
  for (const auto& [k, v] : defaults_) params_.push_back({k, v, k == "lr" ? util::at_least(0) : util::Range{}});
}

void Optimizer::add_param_groups(std::vector<ParamGroup> groups) {
  ETA_CHECK(!groups.empty(), name_, ": got an empty list of parameter groups");
  for (auto& g : groups) add_param_group(std::move(g));
}

void Optimizer::add_param_group(ParamGroup group) {
  for (const auto& [k, v] : group.options)
    ETA_CHECK(defaults_.count(k) || k == "initial_lr", name_, ": unknown option '", k, "' (valid: ", names_of(defaults_),
              ")");
  for (const auto& [k, v] : defaults_) group.options.emplace(k, v);
  validate(group.options);
  std::set<const TensorImpl*> seen;
  for (const auto& g : groups_)
    for (const auto& p : g.params) seen.insert(p.impl());
  for (size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& p = group.params[i];
    ETA_CHECK(p.defined(), name_, ": parameter ", i, " of the new group is an undefined tensor");
    ETA_CHECK(is_floating(p.dtype()), name_, ": parameter ", i, " is ", dtype_name(p.dtype()),
              "; only float32 and float64 tensors can be optimized");
    ETA_CHECK(p.is_leaf(), name_, ": parameter ", i, " is not a leaf tensor (it was computed by an op)");
    ETA_CHECK(seen.insert(p.impl()).second, name_, ": parameter ", i,
              " of the new group already appears in a parameter group");
  }
  state_.resize(state_.size() + group.params.size());
  groups_.push_back(std::move(group));
}

void Optimizer::validate(const Options& o) const {
  for (const auto& p : params_) util::check_range(name_, p.name, o.at(p.name), p.range);
}

void Optimizer::check_nonnegative(const Options& o, const std::string& name) const {
  const double v = o.at(name);
  ETA_CHECK(v >= 0, name_, ": invalid ", name, ": ", fmt(v), " (expected >= 0)");
}

void Optimizer::check_unit_interval(const Options& o, const std::string& name, bool include_one) const {
  const double v = o.at(name);
  ETA_CHECK(v >= 0 && (include_one ? v <= 1 : v < 1), name_, ": invalid ", name, ": ", fmt(v), " (expected in [0, 1",
            include_one ? "]" : ")", ")");
}

void Optimizer::set_lr(double lr) {
  for (auto& g : groups_) g.lr() = lr;
}

void Optimizer::step() {
  NoGradGuard no_grad;
  size_t index = 0;
  std::vector<Tensor> params, grads;
  std::vector<ParamState*> states;
  for (auto& group : groups_) {
    validate(group.options);
    params.clear(), grads.clear(), states.clear();
    for (auto& p : group.params) {
      const size_t i = index++;
      Tensor g = p.grad();
      if (!g.defined()) continue;
      ETA_CHECK(p.is_contiguous(), name_, ": parameter ", i, " is a non-contiguous view; optimize its base tensor");
      ETA_CHECK(g.shape() == p.shape(), name_, ": gradient of parameter ", i, " has shape ", shape_str(g.shape()),
                " but the parameter ", shape_str(p.shape()));
      if (g.dtype() != p.dtype()) g = g.to(p.dtype());
      if (!g.is_contiguous()) g = g.contiguous();
      params.push_back(p);
      grads.push_back(g);
      states.push_back(&state_[i]);
    }
    before_group(group, params, grads, states);
    for (size_t k = 0; k < params.size(); ++k) update(group, params[k], grads[k], *states[k]);
  }
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (auto& group : groups_)
    for (auto& p : group.params) {
      if (set_to_none) {
        p.zero_grad();
      } else if (Tensor g = p.grad(); g.defined()) {
        g.fill_(0);
      }
    }
}

const ParamState& Optimizer::state(size_t index) const {
  ETA_CHECK(index < state_.size(), name_, ": no parameter ", index, " (there are ", state_.size(), ")");
  return state_[index];
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    for (const auto& [k, v] : groups_[g].options) out[prefix + k] = scalar(v);
    std::vector<int64_t> ids;
    for (size_t j = 0; j < groups_[g].params.size(); ++j) ids.push_back(index++);
    out[prefix + "params"] = from_vector(ids, {static_cast<int64_t>(ids.size())});
  }
  for (size_t i = 0; i < state_.size(); ++i) {
    const std::string prefix = "state." + std::to_string(i) + ".";
    for (const auto& [k, t] : state_[i].tensors) out[prefix + k] = t.clone();
  }
  return out;
}

void Optimizer::load_state_dict(const StateDict& state) {
  // Everything is parsed and checked into new containers first; the swap at the end cannot fail.
  std::vector<Options> options(groups_.size());
  std::vector<ParamState> new_state(state_.size());
  std::vector<const Tensor*> params;
  for (const auto& g : groups_)
    for (const auto& p : g.params) params.push_back(&p);
  std::set<std::string> used;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    const auto ids_it = state.find(prefix + "params");
    ETA_CHECK(ids_it != state.end(), name_, ": load_state_dict: missing '", prefix,
              "params' (the saved optimizer has fewer parameter groups than this one, ", groups_.size(), ")");
    used.insert(ids_it->first);
    const auto ids = ids_it->second.to_int_vector();
    ETA_CHECK(ids.size() == groups_[g].params.size(), name_, ": load_state_dict: group ", g, " saved with ",
              ids.size(), " parameters, this optimizer's has ", groups_[g].params.size());
    for (const auto& [k, t] : state) {
      if (k.rfind(prefix, 0) != 0 || k == ids_it->first) continue;
      const std::string opt = k.substr(prefix.size());
      ETA_CHECK(opt.find('.') == std::string::npos, name_, ": load_state_dict: unexpected entry '", k, "'");
      options[g][opt] = scalar_of(t, k);
      used.insert(k);
    }
    for (const auto& [k, v] : defaults_)
      ETA_CHECK(options[g].count(k), name_, ": load_state_dict: missing '", prefix, k, "'");
    validate(options[g]);
  }
  for (const auto& [k, t] : state) {
    if (k.rfind("state.", 0) != 0) continue;
    const size_t dot = k.find('.', 6);
    ETA_CHECK(dot != std::string::npos, name_, ": load_state_dict: malformed entry '", k, "'");
    size_t i = 0;
    try {
      i = std::stoul(k.substr(6, dot - 6));
    } catch (const std::exception&) {
      ETA_CHECK(false, name_, ": load_state_dict: malformed entry '", k, "'");
    }
    ETA_CHECK(i < params.size(), name_, ": load_state_dict: entry '", k, "' names parameter ", i, " but there are ",
              params.size());
    const std::string field = k.substr(dot + 1);
    const Tensor& p = *params[i];
    const bool is_scalar = t.dim() == 0 && t.dtype() == kFloat64;
    if (!is_scalar) {
      ETA_CHECK(t.shape() == p.shape(), name_, ": load_state_dict: '", k, "' has shape ", shape_str(t.shape()),
                " but parameter ", i, " is ", shape_str(p.shape()));
      ETA_CHECK(t.dtype() == p.dtype(), name_, ": load_state_dict: '", k, "' is ", dtype_name(t.dtype()),
                " but parameter ", i, " is ", dtype_name(p.dtype()));
    }
    new_state[i].tensors[field] = t.contiguous().clone();
    used.insert(k);
  }
  for (const auto& [k, t] : state)
    ETA_CHECK(used.count(k), name_, ": load_state_dict: unexpected entry '", k, "'");
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].options = std::move(options[g]);
  state_ = std::move(new_state);
}

// ---------------- gradient clipping ----------------

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  ETA_CHECK(norm_type > 0, "clip_grad_norm_: invalid norm_type: ", norm_type, " (expected > 0 or infinity)");
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const auto& p : params)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0;
  const bool inf_norm = std::isinf(norm_type);
  // Per-tensor sums first, then across tensors, in a fixed order and in double.
  double total = 0;
  for (auto& g : grads) {
    if (!g.is_contiguous()) g = g.contiguous();
    detail::dispatch(g, "clip_grad_norm_", [&](auto tag) {
      using T = decltype(tag);
      const T* d = g.data_ptr<T>();
      double n = 0;
      for (int64_t i = 0; i < g.numel(); ++i) {
        const double a = std::fabs(static_cast<double>(d[i]));
        if (inf_norm) n = std::max(n, a);
        else n += norm_type == 2 ? a * a : std::pow(a, norm_type);
      }
      total = inf_norm ? std::max(total, n) : total + n;
    });
  }
  if (!inf_norm) total = norm_type == 2 ? std::sqrt(total) : std::pow(total, 1 / norm_type);
  ETA_CHECK(!error_if_nonfinite || std::isfinite(total), "clip_grad_norm_: the total norm of order ", norm_type,
            " of the gradients is non-finite (", total, "), so they cannot be clipped");
  const double coef = std::min(max_norm / (total + 1e-6), 1.0);
  if (coef < 1.0 || std::isnan(coef))
    for (const auto& p : params)
      if (p.defined() && p.grad().defined()) p.grad().mul_(coef);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  ETA_CHECK(clip_value >= 0, "clip_grad_value_: invalid clip_value: ", clip_value, " (expected >= 0)");
  NoGradGuard no_grad;
  for (const auto& p : params) {
    if (!p.defined() || !p.grad().defined()) continue;
    Tensor g = p.grad();
    Tensor c = g.is_contiguous() ? g : g.contiguous();
    detail::dispatch(c, "clip_grad_value_", [&](auto tag) {
      using T = decltype(tag);
      T* d = c.data_ptr<T>();
      const T v = static_cast<T>(clip_value);
      for (int64_t i = 0; i < c.numel(); ++i) d[i] = std::clamp(d[i], -v, v);
    });
    if (!c.shares_storage(g)) g.copy_(c);
  }
}

}  // namespace eta::optim
