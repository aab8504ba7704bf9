// nn::Module: the base of every layer and model. It registers parameters, buffers and
// sub-modules by name, so that parameters(), named_parameters() ("features.0.weight"),
// train()/eval(), zero_grad() and state_dict()/load_state_dict() work for any model.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::nn {

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. Modules with several inputs add their own overloads.
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // Parameters and buffers by dotted name (shares storage with the module).
  std::map<std::string, Tensor> state_dict() const;
  // Checks every name, shape and dtype first and copies only if all match, so a rejected load
  // leaves the module untouched. The error lists missing and unexpected names.
  void load_state_dict(const std::map<std::string, Tensor>& state);

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();
  // Converts every float parameter and buffer to `dtype` in place (the same Tensor handles then
  // see the new data), e.g. float64 for gradcheck. Gradients are dropped.
  void to(DType dtype);
  // Total number of parameter elements.
  int64_t num_parameters() const;
  // A one-line description, e.g. "Linear(in_features=784, out_features=10, bias=true)".
  virtual std::string name() const { return "Module"; }

 protected:
  Tensor register_parameter(const std::string& name, Tensor value, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name) const;
  template <class F>
  void visit(const std::string& prefix, const F& f) const;

  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace eta::nn
