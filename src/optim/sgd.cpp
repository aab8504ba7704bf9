// SGD update (PyTorch's _single_tensor_sgd):
//   d = g (+ wd·p);  b = d on the first step, else momentum·b + (1 − dampening)·d;
//   d = d + momentum·b (Nesterov) or b;  p −= lr·d.
#include "eta/optim/sgd.h"

#include <cmath>

#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

template <class T>
struct SgdConstants {
  T sign, wd, momentum, keep, neg_lr;  // sign: -1 to maximize (an exact multiplier)
};

// The update over [begin, end), options compile-time and pointers restrict so that it
// vectorises (see adam.cpp).
struct SgdLoop {
  template <class T, bool HasWd, bool HasMomentum, bool First, bool Nesterov>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict b,
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
};

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
  const SGDOptions o = options_of(group);
  // The buffer starts as a copy of the first direction, not as zeros (PyTorch's choice).
  const bool first = o.momentum != 0 && !state.tensors.count("momentum_buffer");
  const Tensor buf = detail::optional_buffer(state, param, "momentum_buffer", o.momentum != 0);
  detail::update_elements<SgdLoop>(
      "SGD", param, grad, {buf},
      [&](auto tag) {
        using T = decltype(tag);
        return SgdConstants<T>{T(detail::sign(o.maximize)), T(o.weight_decay), T(o.momentum), T(1 - o.dampening),
                               T(-o.lr)};
      },
      o.weight_decay != 0, o.momentum != 0, first, o.nesterov);
}

}  // namespace eta::optim
