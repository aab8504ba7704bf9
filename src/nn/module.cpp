// Module registration, traversal and state dicts.
#include "eta/nn/module.h"

#include <set>
#include <sstream>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"

namespace eta::nn {

void Module::check_new_name(const std::string& name) const {
  ETA_CHECK(!name.empty() && name.find('.') == std::string::npos, this->name(), ": invalid member name \"", name,
            "\" (must be non-empty, without dots)");
  for (const auto& [n, _] : params_) ETA_CHECK(n != name, this->name(), ": \"", name, "\" is already registered");
  for (const auto& [n, _] : buffers_) ETA_CHECK(n != name, this->name(), ": \"", name, "\" is already registered");
  for (const auto& [n, _] : children_) ETA_CHECK(n != name, this->name(), ": \"", name, "\" is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor value, bool requires_grad) {
  check_new_name(name);
  ETA_CHECK(value.defined() && is_floating(value.dtype()), this->name(), ": parameter \"", name, "\" must be a float tensor");
  value.requires_grad_(requires_grad);
  params_.emplace_back(name, value);
  return value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name);
  buffers_.emplace_back(name, value);
  return value;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name);
  ETA_CHECK(module != nullptr, this->name(), ": sub-module \"", name, "\" is null");
  children_.emplace_back(name, std::move(module));
}

// Visits (dotted name, module) pairs depth-first, in registration order.
template <class F>
void Module::visit(const std::string& prefix, const F& f) const {
  f(prefix, *this);
  for (const auto& [n, child] : children_) child->visit(prefix + n + ".", f);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  visit("", [&](const std::string& prefix, const Module& m) {
    for (const auto& [n, t] : m.params_) out.emplace_back(prefix + n, t);
  });
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> out;
  visit("", [&](const std::string& prefix, const Module& m) {
    for (const auto& [n, t] : m.buffers_) out.emplace_back(prefix + n, t);
  });
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters()) out.push_back(t);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const Tensor& t : parameters()) n += t.numel();
  return n;
}

std::map<std::string, Tensor> Module::state_dict() const {
  std::map<std::string, Tensor> out;
  for (auto& [n, t] : named_parameters()) out[n] = t;
  for (auto& [n, t] : named_buffers()) out[n] = t;
  return out;
}

void Module::load_state_dict(const std::map<std::string, Tensor>& state) {
  const std::map<std::string, Tensor> mine = state_dict();
  std::ostringstream problems;
  for (const auto& [n, t] : mine) {
    const auto it = state.find(n);
    if (it == state.end()) {
      problems << "\n  missing: " << n;
    } else if (it->second.shape() != t.shape() || it->second.dtype() != t.dtype()) {
      problems << "\n  " << n << ": file " << shape_str(it->second.shape()) << " " << dtype_name(it->second.dtype())
               << ", model " << shape_str(t.shape()) << " " << dtype_name(t.dtype());
    }
  }
  for (const auto& [n, _] : state)
    if (!mine.count(n)) problems << "\n  unexpected: " << n;
  const std::string p = problems.str();
  ETA_CHECK(p.empty(), "load_state_dict: the state does not match ", name(), ":", p);
  NoGradGuard no_grad;
  for (auto& [n, t] : mine) Tensor(t).copy_(state.at(n));
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, child] : children_) child->train(on);
}

void Module::to(DType dtype) {
  ETA_CHECK(is_floating(dtype), name(), ": to() needs a float dtype, got ", dtype_name(dtype));
  const auto convert = [dtype](const Tensor& t) {
    if (!is_floating(t.dtype()) || t.dtype() == dtype) return;
    const Tensor converted = t.detach().to(dtype);
    TensorImpl& impl = *t.impl();  // shared by every handle to this parameter
    impl.storage = converted.impl()->storage;
    impl.shape = converted.shape();
    impl.strides = converted.strides();
    impl.offset = 0;
    impl.dtype = dtype;
    impl.grad.reset();
  };
  for (auto& [_, t] : named_parameters()) convert(t);
  for (auto& [_, t] : named_buffers()) convert(t);
}

void Module::zero_grad() {
  for (Tensor& t : parameters()) t.zero_grad();
}

}  // namespace eta::nn
