// Adamax update (PyTorch's _single_tensor_adamax), per element:
//   m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g| + ε);  p ← p − (lr / (1 − β1^t))·m / u
#include "eta/optim/adamax.h"

#include <algorithm>
#include <cmath>

#include "optim/adam_fields.h"
#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct AdamaxConstants {
  T sign, b1, b2, one_b1, eps, wd, neg_clr;
};

struct AdamaxLoop {
  template <class T, bool HasWd>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
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
};

}  // namespace

Declaration<AdamaxOptions> Adamax::declaration() {
  return {"Adamax", /*suggested_lr=*/0.002, moment_fields<AdamaxOptions>({{"maximize", &AdamaxOptions::maximize}})};
}

void Adamax::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const AdamaxOptions o = options_of(group);
  const double step = detail::count_step(state, param, {"exp_avg", "exp_inf"});
  const double clr = o.lr / (1 - std::pow(o.beta1, step));
  detail::update_elements<AdamaxLoop>(
      "Adamax", param, grad, {state.tensors["exp_avg"], state.tensors["exp_inf"]},
      [&](auto tag) {
        using T = decltype(tag);
        return AdamaxConstants<T>{T(detail::sign(o.maximize)), T(o.beta1), T(o.beta2), T(1 - o.beta1),
                                 T(o.eps), T(o.weight_decay), T(-clr)};
      },
      o.weight_decay != 0);
}

}  // namespace eta::optim
