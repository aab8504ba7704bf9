// Adadelta update (PyTorch's _single_tensor_adadelta), per element:
//   s ← ρ·s + (1 − ρ)·g²;  Δ = √(u + ε) / √(s + ε) · g;  u ← ρ·u + (1 − ρ)·Δ²;  p ← p − lr·Δ
#include "eta/optim/adadelta.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct AdadeltaConstants {
  T sign, r, one_r, eps, wd, neg_lr;
};

template <class T, bool HasWd>
void adadelta_elements(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict sq,
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
  const double lr = group.option("lr"), rho = group.option("rho"), eps = group.option("eps");
  const double wd = group.option("weight_decay");
  const bool maximize = group.option("maximize") != 0;
  if (state.empty()) {
    state.scalar("step") = 0;
    state.tensors["square_avg"] = zeros_like(param);
    state.tensors["acc_delta"] = zeros_like(param);
  }
  state.scalar("step") += 1;
  Tensor sq_t = state.tensors["square_avg"], acc_t = state.tensors["acc_delta"];
  detail::dispatch(param, "Adadelta", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* sq = sq_t.data_ptr<T>();
    T* acc = acc_t.data_ptr<T>();
    const AdadeltaConstants<T> c{maximize ? T(-1) : T(1), static_cast<T>(rho), static_cast<T>(1 - rho),
                                 static_cast<T>(eps),      static_cast<T>(wd),  static_cast<T>(-lr)};
    detail::with_flags(
        [&](auto has_wd) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            adadelta_elements<T, has_wd>(begin, end, p, g, sq, acc, c);
          });
        },
        wd != 0);
  });
}

}  // namespace eta::optim
