// SGD update (PyTorch's _single_tensor_sgd):
//   d = g (+ wd·p);  b = d on the first step, else momentum·b + (1 − dampening)·d;
//   d = d + momentum·b (Nesterov) or b;  p −= lr·d.
#include "eta/optim/sgd.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

Options SGD::defaults(const SGDOptions& o) {
  return {{"lr", o.lr},
          {"momentum", o.momentum},
          {"dampening", o.dampening},
          {"weight_decay", o.weight_decay},
          {"nesterov", o.nesterov ? 1.0 : 0.0},
          {"maximize", o.maximize ? 1.0 : 0.0}};
}

SGD::SGD(std::vector<Tensor> params, const SGDOptions& o) : SGD(single_group(std::move(params)), o) {}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& o) : Optimizer("SGD", defaults(o)) {
  add_param_groups(std::move(groups));
}

void SGD::validate(const Options& o) const {
  ETA_CHECK(!std::isnan(o.at("lr")), "SGD: lr is required (PyTorch's SGD has no default learning rate)");
  check_nonnegative(o, "lr");
  check_nonnegative(o, "momentum");
  check_nonnegative(o, "weight_decay");
  ETA_CHECK(o.at("nesterov") == 0 || (o.at("momentum") > 0 && o.at("dampening") == 0),
            "SGD: nesterov requires momentum > 0 and dampening = 0 (got momentum ", o.at("momentum"), ", dampening ",
            o.at("dampening"), ")");
}

void SGD::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const double lr = group.option("lr"), momentum = group.option("momentum");
  const double dampening = group.option("dampening"), wd = group.option("weight_decay");
  const bool nesterov = group.option("nesterov") != 0, maximize = group.option("maximize") != 0;
  // The buffer starts as a copy of the first direction, not as zeros (PyTorch's choice).
  bool first = false;
  Tensor buf;
  if (momentum != 0) {
    auto it = state.tensors.find("momentum_buffer");
    if (it == state.tensors.end()) {
      it = state.tensors.emplace("momentum_buffer", zeros_like(param)).first;
      first = true;
    }
    buf = it->second;
  }
  detail::dispatch(param, "SGD", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* b = buf.defined() ? buf.data_ptr<T>() : nullptr;
    const T wd_t = static_cast<T>(wd), m = static_cast<T>(momentum), keep = static_cast<T>(1 - dampening);
    const T neg_lr = static_cast<T>(-lr);
    detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        T d = maximize ? -g[i] : g[i];
        if (wd != 0) d = d + wd_t * p[i];
        if (b) {
          b[i] = first ? d : b[i] * m + keep * d;
          d = nesterov ? d + m * b[i] : b[i];
        }
        p[i] = p[i] + neg_lr * d;
      }
    });
  });
}

}  // namespace eta::optim
