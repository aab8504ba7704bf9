// RMSprop update (PyTorch's _single_tensor_rmsprop), per element:
//   s ← α·s + (1 − α)·g²;  [centered: ḡ ← α·ḡ + (1 − α)·g, s' = s − ḡ²];  a = √s' + ε
//   momentum > 0: b ← μ·b + g / a, p ← p − lr·b;   else p ← p − lr·g / a
#include "eta/optim/rmsprop.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

Options RMSprop::defaults(const RMSpropOptions& o) {
  return {{"lr", o.lr},
          {"alpha", o.alpha},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay},
          {"momentum", o.momentum},
          {"centered", o.centered ? 1.0 : 0.0},
          {"maximize", o.maximize ? 1.0 : 0.0}};
}

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& o) : RMSprop(single_group(std::move(params)), o) {}

RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& o) : Optimizer("RMSprop", defaults(o)) {
  add_param_groups(std::move(groups));
}

void RMSprop::validate(const Options& o) const {
  check_nonnegative(o, "lr");
  check_nonnegative(o, "eps");
  check_nonnegative(o, "momentum");
  check_nonnegative(o, "weight_decay");
  check_nonnegative(o, "alpha");
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
    const T a = static_cast<T>(alpha), one_a = static_cast<T>(1 - alpha), eps_t = static_cast<T>(eps);
    const T wd_t = static_cast<T>(wd), mu = static_cast<T>(momentum), neg_lr = static_cast<T>(-lr);
    detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        T gi = maximize ? -g[i] : g[i];
        if (wd != 0) gi = gi + wd_t * p[i];
        sq[i] = sq[i] * a + one_a * gi * gi;
        T avg;
        if (ga) {
          ga[i] = ga[i] * a + one_a * gi;
          avg = std::sqrt(sq[i] + T(-1) * ga[i] * ga[i]);
        } else {
          avg = std::sqrt(sq[i]);
        }
        avg = avg + eps_t;
        if (buf) {
          buf[i] = buf[i] * mu + gi / avg;
          p[i] = p[i] + neg_lr * buf[i];
        } else {
          p[i] = p[i] + neg_lr * gi / avg;
        }
      }
    });
  });
}

}  // namespace eta::optim
