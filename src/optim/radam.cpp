// RAdam update (PyTorch's _single_tensor_radam):
//   m, v as in Adam;  m̂ = m / (1 − β1^t);  ρ∞ = 2/(1 − β2) − 1;  ρ_t = ρ∞ − 2t·β2^t / (1 − β2^t)
//   ρ_t > 5: r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)),  p ← p − m̂·lr·√(1 − β2^t)/(√v + ε)·r
//   else:    p ← p − m̂·lr
#include "eta/optim/radam.h"

#include <cmath>

#include "optim/adam_fields.h"
#include "optim/adam_moments.h"
#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct RadamConstants {
  detail::Betas<T> betas;
  T bc1, bc2_sqrt, eps, wd, lr, rect;
};

struct RAdamLoop {
  template <class T, bool HasWd, bool Rectify>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                  T* __restrict v, const RadamConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = detail::direction<HasWd>(T(1), g[i], c.wd, p[i]);  // no maximize in PyTorch's
      const auto [mi, vi] = c.betas.advance(m[i], v[i], gi);
      const T m_hat = mi / c.bc1;
      if (Rectify) {
        const T adaptive_lr = c.bc2_sqrt / (std::sqrt(vi) + c.eps);
        p[i] = p[i] - m_hat * c.lr * adaptive_lr * c.rect;
      } else {
        p[i] = p[i] - m_hat * c.lr;
      }
    }
  }
};

}  // namespace

Declaration<RAdamOptions> RAdam::declaration() {
  return {"RAdam", /*suggested_lr=*/0.001, moment_fields<RAdamOptions>()};
}

void RAdam::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const RAdamOptions o = options_of(group);
  const double step = detail::count_step(state, param, {"exp_avg", "exp_avg_sq"});
  const double bias_correction1 = 1 - std::pow(o.beta1, step);
  const double bias_correction2 = 1 - std::pow(o.beta2, step);
  const double rho_inf = 2 / (1 - o.beta2) - 1;
  const double rho_t = rho_inf - 2 * step * std::pow(o.beta2, step) / bias_correction2;
  const bool rectify = rho_t > 5.;
  const double rect =
      rectify ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) : 0;
  detail::update_elements<RAdamLoop>(
      "RAdam", param, grad, {state.tensors["exp_avg"], state.tensors["exp_avg_sq"]},
      [&](auto tag) {
        using T = decltype(tag);
        return RadamConstants<T>{detail::Betas<T>::from(o.beta1, o.beta2), T(bias_correction1),
                                 T(std::sqrt(bias_correction2)), T(o.eps), T(o.weight_decay), T(o.lr), T(rect)};
      },
      o.weight_decay != 0, rectify);
}

}  // namespace eta::optim
