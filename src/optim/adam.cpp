// Adam update (PyTorch's _single_tensor_adam / _single_tensor_adamw), per element:
//   [AdamW: p ← p·(1 − lr·wd)]   [Adam: g ← g + wd·p]
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  [AMSGrad: v_max ← max(v_max, v), use v_max]
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
// ε is added after dividing √v by the bias correction, which is what a |g| = 1e-10 step pins down.
#include "eta/optim/adam.h"

#include "eta/optim/adamw.h"

#include <algorithm>
#include <cmath>

#include "optim/adam_fields.h"
#include "optim/adam_moments.h"
#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

template <class T>
struct AdamConstants {
  detail::Betas<T> betas;
  T wd, bc2, eps, neg_step, sign, mul;
};

// The update over [begin, end). Pointers restrict and options compile-time, with everything
// passed by value: written inline in a lambda the loop stayed scalar (~4 ns per element).
struct AdamLoop {
  template <class T, bool CoupledWd, bool Ams>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                  T* __restrict v, T* __restrict vmax, const AdamConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T pi = p[i] * c.mul;
      const T gi = detail::direction<CoupledWd>(c.sign, g[i], c.wd, pi);
      const auto [mi, vi] = c.betas.advance(m[i], v[i], gi);
      T denom;
      if (Ams) {
        const T vm = std::max(vmax[i], vi);
        vmax[i] = vm;
        denom = std::sqrt(vm) / c.bc2 + c.eps;
      } else {
        denom = std::sqrt(vi) / c.bc2 + c.eps;
      }
      p[i] = pi + c.neg_step * mi / denom;
    }
  }
};

}  // namespace

Declaration<AdamOptions> Adam::declaration() { return {"Adam", /*suggested_lr=*/1e-3, adam_fields<AdamOptions>()}; }

Declaration<AdamWOptions> AdamW::declaration() { return {"AdamW", /*suggested_lr=*/1e-3, adam_fields<AdamWOptions>()}; }

void Adam::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const AdamOptions o = options_of(group);
  const double step = detail::count_step(state, param, {"exp_avg", "exp_avg_sq"});
  const Tensor vmax = detail::optional_buffer(state, param, "max_exp_avg_sq", o.amsgrad);
  const double bias_correction1 = 1 - std::pow(o.beta1, step);
  const double bias_correction2_sqrt = std::sqrt(1 - std::pow(o.beta2, step));
  const double step_size = o.lr / bias_correction1;
  const bool decoupled = decoupled_weight_decay();
  // Decoupled decay as an exact multiplier (by 1 when not decoupled).
  const double mul = decoupled ? 1 - o.lr * o.weight_decay : 1;
  detail::update_elements<AdamLoop>(
      name().c_str(), param, grad, {state.tensors["exp_avg"], state.tensors["exp_avg_sq"], vmax},
      [&](auto tag) {
        using T = decltype(tag);
        return AdamConstants<T>{detail::Betas<T>::from(o.beta1, o.beta2), T(o.weight_decay), T(bias_correction2_sqrt),
                                T(o.eps), T(-step_size), T(detail::sign(o.maximize)), T(mul)};
      },
      !decoupled && o.weight_decay != 0, o.amsgrad);
}

}  // namespace eta::optim
