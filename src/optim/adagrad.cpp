// Adagrad update (PyTorch's _single_tensor_adagrad), per element:
//   clr = lr / (1 + (t − 1)·lr_decay);  s ← s + g²;  p ← p − clr·g / (√s + ε)
#include "eta/optim/adagrad.h"

#include <cmath>

#include "optim/step_state.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

// The update over [begin, end), vectorisable (see adam.cpp).
template <class T>
struct AdagradConstants {
  T sign, wd, eps, neg_clr;
};

struct AdagradLoop {
  template <class T, bool HasWd>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict s,
                  const AdagradConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
      const T si = s[i] + gi * gi;
      s[i] = si;
      p[i] = p[i] + c.neg_clr * gi / (std::sqrt(si) + c.eps);
    }
  }
};

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
  const AdagradOptions o = options_of(group);
  const bool first = state.empty();
  const double step = detail::count_step(state, param, {"sum"});
  if (first) state.tensors["sum"].fill_(o.initial_accumulator_value);
  const double clr = o.lr / (1 + (step - 1) * o.lr_decay);
  detail::update_elements<AdagradLoop>(
      "Adagrad", param, grad, {state.tensors["sum"]},
      [&](auto tag) {
        using T = decltype(tag);
        return AdagradConstants<T>{T(detail::sign(o.maximize)), T(o.weight_decay), T(o.eps), T(-clr)};
      },
      o.weight_decay != 0);
}

}  // namespace eta::optim
