// Adam update (PyTorch's _single_tensor_adam / _single_tensor_adamw), per element:
//   [AdamW: p ← p·(1 − lr·wd)]   [Adam: g ← g + wd·p]
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  [AMSGrad: v_max ← max(v_max, v), use v_max]
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
// ε is added after dividing √v by the bias correction, which is what a |g| = 1e-10 step pins down.
#include "eta/optim/adam.h"

#include "eta/optim/adamw.h"

#include <algorithm>
#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/adam_fields.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

template <class T>
struct AdamConstants {
  T b1, b2, one_b1, one_b2, wd, bc2, eps, neg_step, sign, mul;
};

// The update over [begin, end). Pointers restrict and options compile-time, with everything
// passed by value: written inline in a lambda the loop stayed scalar (~4 ns per element).
template <class T, bool CoupledWd, bool Ams>
void adam_elements(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                   T* __restrict v, T* __restrict vmax, const AdamConstants<T> c) {
  for (int64_t i = begin; i < end; ++i) {
    const T pi = p[i] * c.mul;
    const T gi = detail::direction<CoupledWd>(c.sign, g[i], c.wd, pi);
    const T mi = detail::ema(m[i], c.b1, c.one_b1, gi), vi = detail::ema_sq(v[i], c.b2, c.one_b2, gi);
    m[i] = mi;
    v[i] = vi;
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

}  // namespace

Declaration<AdamOptions> Adam::declaration() { return {"Adam", /*suggested_lr=*/1e-3, adam_fields<AdamOptions>()}; }

Declaration<AdamWOptions> AdamW::declaration() { return {"AdamW", /*suggested_lr=*/1e-3, adam_fields<AdamWOptions>()}; }

void Adam::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const double lr = group.option("lr"), beta1 = group.option("beta1"), beta2 = group.option("beta2");
  const double eps = group.option("eps"), wd = group.option("weight_decay");
  const bool amsgrad = group.option("amsgrad") != 0, maximize = group.option("maximize") != 0;
  if (state.empty()) {
    state.scalar("step") = 0;
    state.tensors["exp_avg"] = zeros_like(param);
    state.tensors["exp_avg_sq"] = zeros_like(param);
  }
  if (amsgrad && !state.tensors.count("max_exp_avg_sq")) state.tensors["max_exp_avg_sq"] = zeros_like(param);
  const double step = state.scalar("step") += 1;
  const double bias_correction1 = 1 - std::pow(beta1, step);
  const double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, step));
  const double step_size = lr / bias_correction1;
  Tensor& m_t = state.tensors["exp_avg"];
  Tensor& v_t = state.tensors["exp_avg_sq"];
  Tensor vmax_t = amsgrad ? state.tensors["max_exp_avg_sq"] : Tensor();
  const bool decoupled = decoupled_weight_decay();
  detail::dispatch(param, name().c_str(), [&](auto tag) {
    using T = decltype(tag);
    T* param_p = param.data_ptr<T>();
    const T* grad_p = grad.data_ptr<T>();
    T* m_p = m_t.data_ptr<T>();
    T* v_p = v_t.data_ptr<T>();
    T* vmax_p = amsgrad ? vmax_t.data_ptr<T>() : nullptr;
    AdamConstants<T> c;
    c.b1 = static_cast<T>(beta1), c.b2 = static_cast<T>(beta2);
    c.one_b1 = static_cast<T>(1 - beta1), c.one_b2 = static_cast<T>(1 - beta2);
    c.wd = static_cast<T>(wd);
    c.bc2 = static_cast<T>(bias_correction2_sqrt), c.eps = static_cast<T>(eps);
    c.neg_step = static_cast<T>(-step_size);
    // maximize and decoupled decay as exact multipliers (by -1 or 1; by 1 when not decoupled).
    c.sign = maximize ? T(-1) : T(1);
    c.mul = decoupled ? static_cast<T>(1 - lr * wd) : T(1);
    detail::with_flags(
        [&](auto coupled_wd, auto ams) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            adam_elements<T, coupled_wd, ams>(begin, end, param_p, grad_p, m_p, v_p, vmax_p, c);
          });
        },
        !decoupled && wd != 0, vmax_p != nullptr);
  });
}

}  // namespace eta::optim
