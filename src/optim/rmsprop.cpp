// RMSprop update (PyTorch's _single_tensor_rmsprop), per element:
//   s ← α·s + (1 − α)·g²;  [centered: ḡ ← α·ḡ + (1 − α)·g, s' = s − ḡ²];  a = √s' + ε
//   momentum > 0: b ← μ·b + g / a, p ← p − lr·b;   else p ← p − lr·g / a
#include "eta/optim/rmsprop.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end): options compile-time, pointers restrict and constants by value,
// so that the loop vectorises (written inline in a lambda it stayed scalar; see adam.cpp).
template <class T>
struct RmspropConstants {
  T sign, a, one_a, eps, wd, mu, neg_lr;
};

template <class T, bool HasWd, bool Centered, bool Momentum>
void rmsprop_elements(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict sq,
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
  const double lr = group.option("lr"), alpha = group.option("alpha"), eps = group.option("eps");
  const double wd = group.option("weight_decay"), momentum = group.option("momentum");
  const bool centered = group.option("centered") != 0, maximize = group.option("maximize") != 0;
  if (state.empty()) {
    state.scalar("step") = 0;
    state.tensors["square_avg"] = zeros_like(param);
  }
  // Created when first needed, so a momentum switched on later (CyclicLR) starts from zero.
  if (momentum > 0 && !state.tensors.count("momentum_buffer")) state.tensors["momentum_buffer"] = zeros_like(param);
  if (centered && !state.tensors.count("grad_avg")) state.tensors["grad_avg"] = zeros_like(param);
  state.scalar("step") += 1;
  Tensor sq_t = state.tensors["square_avg"];
  Tensor buf_t = momentum > 0 ? state.tensors["momentum_buffer"] : Tensor();
  Tensor ga_t = centered ? state.tensors["grad_avg"] : Tensor();
  detail::dispatch(param, "RMSprop", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* sq = sq_t.data_ptr<T>();
    T* buf = buf_t.defined() ? buf_t.data_ptr<T>() : nullptr;
    T* ga = ga_t.defined() ? ga_t.data_ptr<T>() : nullptr;
    const RmspropConstants<T> c{maximize ? T(-1) : T(1), static_cast<T>(alpha), static_cast<T>(1 - alpha),
                                static_cast<T>(eps),      static_cast<T>(wd),    static_cast<T>(momentum),
                                static_cast<T>(-lr)};
    detail::with_flags(
        [&](auto has_wd, auto is_centered, auto has_momentum) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            rmsprop_elements<T, has_wd, is_centered, has_momentum>(begin, end, p, g, sq, buf, ga, c);
          });
        },
        wd != 0, ga != nullptr, buf != nullptr);
  });
}

}  // namespace eta::optim
