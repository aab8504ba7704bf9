// RMSprop update (PyTorch's _single_tensor_rmsprop), per element:
//   s ← α·s + (1 − α)·g²;  [centered: ḡ ← α·ḡ + (1 − α)·g, s' = s − ḡ²];  a = √s' + ε
//   momentum > 0: b ← μ·b + g / a, p ← p − lr·b;   else p ← p − lr·g / a
#include "eta/optim/rmsprop.h"

#include <cmath>

#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end): options compile-time, pointers restrict and constants by value,
// so that the loop vectorises (written inline in a lambda it stayed scalar; see adam.cpp).
template <class T>
struct RmspropConstants {
  T sign, a, one_a, eps, wd, mu, neg_lr;
};

struct RMSpropLoop {
  template <class T, bool HasWd, bool Centered, bool Momentum>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict sq,
                  T* __restrict buf, T* __restrict ga, const RmspropConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
      const T s = detail::ema_sq(sq[i], c.a, c.one_a, gi);
      sq[i] = s;
      T avg;
      if (Centered) {
        const T gai = detail::ema(ga[i], c.a, c.one_a, gi);
        ga[i] = gai;
        avg = std::sqrt(s + T(-1) * gai * gai);
      } else {
        avg = std::sqrt(s);
      }
      avg = avg + c.eps;
      if (Momentum) {
        const T b = buf[i] * c.mu + gi / avg;
        buf[i] = b;
        p[i] = p[i] + c.neg_lr * b;
      } else {
        p[i] = p[i] + c.neg_lr * gi / avg;
      }
    }
  }
};

}  // namespace

Declaration<RMSpropOptions> RMSprop::declaration() {
  return {"RMSprop", /*suggested_lr=*/0.001,
          {{"lr", &RMSpropOptions::lr, util::at_least(0)},
           {"alpha", &RMSpropOptions::alpha, util::at_least(0)},
           {"eps", &RMSpropOptions::eps, util::at_least(0)},
           {"weight_decay", &RMSpropOptions::weight_decay, util::at_least(0)},
           {"momentum", &RMSpropOptions::momentum, util::at_least(0)},
           {"centered", &RMSpropOptions::centered},
           {"maximize", &RMSpropOptions::maximize}}};
}

void RMSprop::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const RMSpropOptions o = options_of(group);
  detail::count_step(state, param, {"square_avg"});
  const Tensor buf = detail::optional_buffer(state, param, "momentum_buffer", o.momentum > 0);
  const Tensor grad_avg = detail::optional_buffer(state, param, "grad_avg", o.centered);
  detail::update_elements<RMSpropLoop>(
      "RMSprop", param, grad, {state.tensors["square_avg"], buf, grad_avg},
      [&](auto tag) {
        using T = decltype(tag);
        return RmspropConstants<T>{T(detail::sign(o.maximize)), T(o.alpha), T(1 - o.alpha), T(o.eps),
                                   T(o.weight_decay), T(o.momentum), T(-o.lr)};
      },
      o.weight_decay != 0, o.centered, o.momentum > 0);
}

}  // namespace eta::optim
