// Lion update (Chen et al. 2023, Algorithm 2), per element, with g negated to maximize:
//   p ← p·(1 − lr·wd)
//   c = β1·m + (1 − β1)·g;  p ← p − lr·sign(c)   (sign(0) = 0, as torch.sign)
//   m ← β2·m + (1 − β2)·g                         (state "exp_avg")
// Only the momentum is kept: no second moment, no step count, no bias correction.
#include "eta/optim/lion.h"

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

template <class T>
struct LionConstants {
  T sign, b1, one_b1, b2, one_b2, neg_lr, mul;  // sign: -1 to maximize; mul: 1 − lr·wd
};

// The update over [begin, end); branch-free so that it vectorises (see adam.cpp).
struct LionLoop {
  template <class T>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                  const LionConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = c.sign * g[i];
      const T ci = detail::ema(m[i], c.b1, c.one_b1, gi);
      const T s = static_cast<T>(ci > T(0)) - static_cast<T>(ci < T(0));
      p[i] = p[i] * c.mul + c.neg_lr * s;
      m[i] = detail::ema(m[i], c.b2, c.one_b2, gi);
    }
  }
};

}  // namespace

Declaration<LionOptions> Lion::declaration() {
  return {"Lion", /*suggested_lr=*/1e-4,
          {{"lr", &LionOptions::lr, util::at_least(0)},
           {"beta1", &LionOptions::beta1, util::between(0, 1)},
           {"beta2", &LionOptions::beta2, util::between(0, 1)},
           {"weight_decay", &LionOptions::weight_decay, util::at_least(0)},
           {"maximize", &LionOptions::maximize}}};
}

void Lion::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const LionOptions o = options_of(group);
  if (state.empty()) state.tensors["exp_avg"] = zeros_like(param);
  detail::update_elements<LionLoop>("Lion", param, grad, {state.tensors["exp_avg"]}, [&](auto tag) {
    using T = decltype(tag);
    return LionConstants<T>{T(detail::sign(o.maximize)), T(o.beta1), T(1 - o.beta1), T(o.beta2), T(1 - o.beta2),
                            T(-o.lr), T(1 - o.lr * o.weight_decay)};
  });
}

}  // namespace eta::optim
