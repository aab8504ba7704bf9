// Adagrad update (PyTorch's _single_tensor_adagrad), per element:
//   clr = lr / (1 + (t − 1)·lr_decay);  s ← s + g²;  p ← p − clr·g / (√s + ε)
#include "eta/optim/adagrad.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct AdagradConstants {
  T sign, wd, eps, neg_clr;
};

template <class T, bool HasWd>
void adagrad_elements(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict s,
                      const AdagradConstants<T> c) {
  for (int64_t i = begin; i < end; ++i) {
    const T gi = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
    const T si = s[i] + gi * gi;
    s[i] = si;
    p[i] = p[i] + c.neg_clr * gi / (std::sqrt(si) + c.eps);
  }
}

}  // namespace

Declaration<AdagradOptions> Adagrad::declaration() {
  return {"Adagrad", /*suggested_lr=*/0.01,
          {{"lr", &AdagradOptions::lr, util::at_least(0)},
           {"lr_decay", &AdagradOptions::lr_decay, util::at_least(0)},
           {"weight_decay", &AdagradOptions::weight_decay, util::at_least(0)},
           {"initial_accumulator_value", &AdagradOptions::initial_accumulator_value, util::at_least(0)},
           {"eps", &AdagradOptions::eps, util::at_least(0)},
           {"maximize", &AdagradOptions::maximize}}};
}

void Adagrad::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const double lr = group.option("lr"), lr_decay = group.option("lr_decay"), eps = group.option("eps");
  const double wd = group.option("weight_decay");
  const bool maximize = group.option("maximize") != 0;
  if (state.empty()) {
    state.scalar("step") = 0;
    Tensor sum = zeros_like(param);
    sum.fill_(group.option("initial_accumulator_value"));
    state.tensors["sum"] = sum;
  }
  const double step = state.scalar("step") += 1;
  const double clr = lr / (1 + (step - 1) * lr_decay);
  Tensor sum_t = state.tensors["sum"];
  detail::dispatch(param, "Adagrad", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* s = sum_t.data_ptr<T>();
    const AdagradConstants<T> c{maximize ? T(-1) : T(1), static_cast<T>(wd), static_cast<T>(eps), static_cast<T>(-clr)};
    detail::with_flags(
        [&](auto has_wd) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            adagrad_elements<T, has_wd>(begin, end, p, g, s, c);
          });
        },
        wd != 0);
  });
}

}  // namespace eta::optim
