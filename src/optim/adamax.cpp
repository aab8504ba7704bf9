// Adamax update (PyTorch's _single_tensor_adamax), per element:
//   m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g| + ε);  p ← p − (lr / (1 − β1^t))·m / u
#include "eta/optim/adamax.h"

#include <algorithm>
#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/adam_fields.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct AdamaxConstants {
  T sign, b1, b2, one_b1, eps, wd, neg_clr;
};

template <class T, bool HasWd>
void adamax_elements(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                     T* __restrict u, const AdamaxConstants<T> c) {
  for (int64_t i = begin; i < end; ++i) {
    const T gi = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
    const T mi = detail::ema(m[i], c.b1, c.one_b1, gi);
    m[i] = mi;
    const T ui = std::max(u[i] * c.b2, std::fabs(gi) + c.eps);
    u[i] = ui;
    p[i] = p[i] + c.neg_clr * mi / ui;
  }
}

}  // namespace

Declaration<AdamaxOptions> Adamax::declaration() {
  return {"Adamax", /*suggested_lr=*/0.002, moment_fields<AdamaxOptions>({{"maximize", &AdamaxOptions::maximize}})};
}

void Adamax::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const double lr = group.option("lr"), beta1 = group.option("beta1"), beta2 = group.option("beta2");
  const double eps = group.option("eps"), wd = group.option("weight_decay");
  const bool maximize = group.option("maximize") != 0;
  if (state.empty()) {
    state.scalar("step") = 0;
    state.tensors["exp_avg"] = zeros_like(param);
    state.tensors["exp_inf"] = zeros_like(param);
  }
  const double step = state.scalar("step") += 1;
  const double clr = lr / (1 - std::pow(beta1, step));
  Tensor m_t = state.tensors["exp_avg"], u_t = state.tensors["exp_inf"];
  detail::dispatch(param, "Adamax", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* m = m_t.data_ptr<T>();
    T* u = u_t.data_ptr<T>();
    const AdamaxConstants<T> c{maximize ? T(-1) : T(1), static_cast<T>(beta1), static_cast<T>(beta2),
                               static_cast<T>(1 - beta1), static_cast<T>(eps),  static_cast<T>(wd),
                               static_cast<T>(-clr)};
    detail::with_flags(
        [&](auto has_wd) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            adamax_elements<T, has_wd>(begin, end, p, g, m, u, c);
          });
        },
        wd != 0);
  });
}

}  // namespace eta::optim
