// SGD update (PyTorch's _single_tensor_sgd):
//   d = g (+ wd·p);  b = d on the first step, else momentum·b + (1 − dampening)·d;
//   d = d + momentum·b (Nesterov) or b;  p −= lr·d.
#include "eta/optim/sgd.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

template <class T>
struct SgdConstants {
  T sign, wd, momentum, keep, neg_lr;  // sign: -1 to maximize (an exact multiplier)
};

// The update over [begin, end), options compile-time and pointers restrict so that it
// vectorises (see adam.cpp).
template <class T, bool HasWd, bool HasMomentum, bool First, bool Nesterov>
void sgd_elements(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict b,
                  const SgdConstants<T> c) {
  for (int64_t i = begin; i < end; ++i) {
    T d = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
    if (HasMomentum) {
      const T bi = First ? d : detail::ema(b[i], c.momentum, c.keep, d);
      b[i] = bi;
      d = Nesterov ? d + c.momentum * bi : bi;
    }
    p[i] = p[i] + c.neg_lr * d;
  }
}

}  // namespace

Declaration<SGDOptions> SGD::declaration() {
  return {"SGD", /*suggested_lr=*/0.05,
          {{"lr", &SGDOptions::lr, util::at_least(0)},
           {"momentum", &SGDOptions::momentum, util::at_least(0)},
           {"dampening", &SGDOptions::dampening},
           {"weight_decay", &SGDOptions::weight_decay, util::at_least(0)},
           {"nesterov", &SGDOptions::nesterov},
           {"maximize", &SGDOptions::maximize}}};
}

void SGD::check_rules(const Options& o) {
  ETA_CHECK(!std::isnan(o.at("lr")), "SGD: lr is required (PyTorch's SGD has no default learning rate)");
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
    const SgdConstants<T> c{maximize ? T(-1) : T(1), static_cast<T>(wd), static_cast<T>(momentum),
                            static_cast<T>(1 - dampening), static_cast<T>(-lr)};
    detail::with_flags(
        [&](auto has_wd, auto has_momentum, auto first_step, auto use_nesterov) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            sgd_elements<T, has_wd, has_momentum, first_step, use_nesterov>(begin, end, p, g, b, c);
          });
        },
        wd != 0, b != nullptr, first, nesterov);
  });
}

}  // namespace eta::optim
