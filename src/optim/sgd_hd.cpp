// SGDHD (see sgd_hd.h). The previous direction u is kept per parameter as "grad_prev" (the
// weight-decayed, sign-applied gradient of the last step), as in the authors' code.
#include "eta/optim/sgd_hd.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/hypergradient.h"
#include "optim/update_loop.h"

namespace eta::optim {

namespace {

template <class T>
struct SgdHdConstants {
  T sign, wd, neg_lr;
};

// The update over [begin, end), keeping its direction u for the next step's hypergradient;
// vectorisable (see adam.cpp).
struct SgdHdLoop {
  template <class T, bool HasWd>
  static void run(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict u,
                  const SgdHdConstants<T> c) {
    for (int64_t i = begin; i < end; ++i) {
      const T d = detail::direction<HasWd>(c.sign, g[i], c.wd, p[i]);
      u[i] = d;
      p[i] = p[i] + c.neg_lr * d;
    }
  }
};

}  // namespace

Declaration<SGDHDOptions> SGDHD::declaration() {
  return {"SGDHD", /*suggested_lr=*/0.05,
          {{"lr", &SGDHDOptions::lr, util::at_least(0)},
           {"weight_decay", &SGDHDOptions::weight_decay, util::at_least(0)},
           {"hypergrad_lr", &SGDHDOptions::hypergrad_lr, util::at_least(0)},
           {"maximize", &SGDHDOptions::maximize}}};
}

void SGDHD::check_rules(const Options& o) {
  ETA_CHECK(!std::isnan(o.at("lr")), "SGDHD: lr (the starting learning rate) is required, as for SGD");
}

void SGDHD::before_group(ParamGroup& group, const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                         const std::vector<ParamState*>& states) {
  const SGDHDOptions o = options_of(group);
  double h = 0;
  for (size_t k = 0; k < params.size(); ++k) {
    if (states[k]->empty()) continue;  // no previous step: u = 0
    const Tensor& prev = states[k]->tensors.at("grad_prev");
    detail::dispatch(params[k], "SGDHD", [&](auto tag) {
      using T = decltype(tag);
      const T* u = prev.data_ptr<T>();
      h += detail::hyper_dot(grads[k].data_ptr<T>(), params[k].data_ptr<T>(), params[k].numel(),
                             detail::sign(o.maximize), o.weight_decay,
                             [u](int64_t i) { return static_cast<double>(u[i]); });
    });
  }
  detail::learn_rate(group, h);
}

void SGDHD::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const SGDHDOptions o = options_of(group);
  if (state.empty()) state.tensors["grad_prev"] = zeros_like(param);
  detail::update_elements<SgdHdLoop>(
      "SGDHD", param, grad, {state.tensors["grad_prev"]},
      [&](auto tag) {
        using T = decltype(tag);
        return SgdHdConstants<T>{T(detail::sign(o.maximize)), T(o.weight_decay), T(-o.lr)};
      },
      o.weight_decay != 0);
}

}  // namespace eta::optim
