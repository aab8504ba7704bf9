// NAdam update (PyTorch's _single_tensor_nadam):
//   μ_t = β1·(1 − ½·0.96^(t·ψ)),  μ_{t+1} likewise;  Π ← Π·μ_t
//   m, v as in Adam;  d = √(v / (1 − β2^t)) + ε
//   p ← p − lr·(1 − μ_t)/(1 − Π)·g/d − lr·μ_{t+1}/(1 − Π·μ_{t+1})·m/d
// PyTorch 1.13 keeps Π (mu_product) in a float32 tensor whatever the parameter's dtype, so it is
// rounded to float here too; otherwise float64 trajectories would drift from torch's by ~1e-8.
#include "eta/optim/nadam.h"

#include <cmath>

#include "optim/adam_fields.h"
#include "optim/adam_moments.h"
#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct NadamConstants {
  detail::Betas<T> betas;
  T bc2, eps, wd, cg, cm;
};

struct NAdamLoop {
  template <class T, bool HasWd>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                  T* __restrict v, const NadamConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = detail::direction<HasWd>(T(1), g[i], c.wd, p[i]);  // no maximize in PyTorch's
      const auto [mi, vi] = c.betas.advance(m[i], v[i], gi);
      const T denom = std::sqrt(vi / c.bc2) + c.eps;
      T pi = p[i] + c.cg * gi / denom;
      pi = pi + c.cm * mi / denom;
      p[i] = pi;
    }
  }
};

}  // namespace

Declaration<NAdamOptions> NAdam::declaration() {
  return {"NAdam", /*suggested_lr=*/0.001,
          moment_fields<NAdamOptions>({{"momentum_decay", &NAdamOptions::momentum_decay, util::at_least(0)}})};
}

void NAdam::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const NAdamOptions o = options_of(group);
  const double lr = o.lr, beta1 = o.beta1, beta2 = o.beta2, psi = o.momentum_decay;
  const bool first = state.empty();
  const double step = detail::count_step(state, param, {"exp_avg", "exp_avg_sq"});
  if (first) state.scalar("mu_product") = 1;
  const double bias_correction2 = 1 - std::pow(beta2, step);
  const double mu = beta1 * (1. - 0.5 * std::pow(0.96, step * psi));
  const double mu_next = beta1 * (1. - 0.5 * std::pow(0.96, (step + 1) * psi));
  const float mu_product = static_cast<float>(state.scalar("mu_product")) * static_cast<float>(mu);
  const float mu_product_next = mu_product * static_cast<float>(mu) * static_cast<float>(mu_next);
  state.scalar("mu_product") = mu_product;
  const double coef_g = -lr * (1. - mu) / (1. - static_cast<double>(mu_product));
  const double coef_m = -lr * mu_next / (1. - static_cast<double>(mu_product_next));
  detail::update_elements<NAdamLoop>(
      "NAdam", param, grad, {state.tensors["exp_avg"], state.tensors["exp_avg_sq"]},
      [&](auto tag) {
        using T = decltype(tag);
        return NadamConstants<T>{detail::Betas<T>::from(beta1, beta2), T(bias_correction2),
                                 T(o.eps), T(o.weight_decay), T(coef_g), T(coef_m)};
      },
      o.weight_decay != 0);
}

}  // namespace eta::optim
