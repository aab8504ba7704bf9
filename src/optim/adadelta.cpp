// Adadelta update (PyTorch's _single_tensor_adadelta), per element:
//   s ← ρ·s + (1 − ρ)·g²;  Δ = √(u + ε) / √(s + ε) · g;  u ← ρ·u + (1 − ρ)·Δ²;  p ← p − lr·Δ
#include "eta/optim/adadelta.h"

#include <cmath>

#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct AdadeltaConstants {
  T sign, r, one_r, eps, wd, neg_lr;
};

struct AdadeltaLoop {
  template <class T, bool HasWd>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict sq,
                  T* __restrict acc, const AdadeltaConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
      const T s = detail::ema_sq(sq[i], c.r, c.one_r, gi);
      sq[i] = s;
      const T std_i = std::sqrt(s + c.eps);
      const T delta = std::sqrt(acc[i] + c.eps) / std_i * gi;
      acc[i] = detail::ema_sq(acc[i], c.r, c.one_r, delta);
      p[i] = p[i] + c.neg_lr * delta;
    }
  }
};

}  // namespace

Declaration<AdadeltaOptions> Adadelta::declaration() {
  return {"Adadelta", /*suggested_lr=*/1.0,
          {{"lr", &AdadeltaOptions::lr, util::at_least(0)},
           {"rho", &AdadeltaOptions::rho, util::between(0, 1)},
           {"eps", &AdadeltaOptions::eps, util::at_least(0)},
           {"weight_decay", &AdadeltaOptions::weight_decay, util::at_least(0)},
           {"maximize", &AdadeltaOptions::maximize}}};
}

void Adadelta::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const AdadeltaOptions o = options_of(group);
  detail::count_step(state, param, {"square_avg", "acc_delta"});
  detail::update_elements<AdadeltaLoop>(
      "Adadelta", param, grad, {state.tensors["square_avg"], state.tensors["acc_delta"]},
      [&](auto tag) {
        using T = decltype(tag);
        return AdadeltaConstants<T>{T(detail::sign(o.maximize)), T(o.rho), T(1 - o.rho), T(o.eps), T(o.weight_decay),
                                    T(-o.lr)};
      },
      o.weight_decay != 0);
}

}  // namespace eta::optim
