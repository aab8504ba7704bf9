// SGDHD (see sgd_hd.h). The previous direction u is kept per parameter as "grad_prev" (the
// weight-decayed, sign-applied gradient of the last step), as in the authors' code.
#include "eta/optim/sgd_hd.h"

#include <cmath>

#include "eta/tensor/factory.h"
#include "optim/hypergradient.h"
#include "optim/update_loop.h"

namespace eta::optim {

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
  const double sign = group.option("maximize") != 0 ? -1.0 : 1.0, wd = group.option("weight_decay");
  double h = 0;
  for (size_t k = 0; k < params.size(); ++k) {
    if (states[k]->empty()) continue;  // no previous step: u = 0
    const Tensor& prev = states[k]->tensors.at("grad_prev");
    detail::dispatch(params[k], "SGDHD", [&](auto tag) {
      using T = decltype(tag);
      const T* u = prev.data_ptr<T>();
      h += detail::hyper_dot(grads[k].data_ptr<T>(), params[k].data_ptr<T>(), params[k].numel(), sign, wd,
                             [u](int64_t i) { return static_cast<double>(u[i]); });
    });
  }
  detail::learn_rate(group, h);
}

void SGDHD::update(const ParamGroup& group, Tensor& param, const Tensor& grad, ParamState& state) {
  const double lr = group.option("lr"), wd = group.option("weight_decay");
  const bool maximize = group.option("maximize") != 0;
  if (state.empty()) state.tensors["grad_prev"] = zeros_like(param);
  Tensor& prev = state.tensors["grad_prev"];
  detail::dispatch(param, "SGDHD", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* u = prev.data_ptr<T>();
    const T sign = maximize ? T(-1) : T(1), w = static_cast<T>(wd), neg_lr = static_cast<T>(-lr);
    // The weight-decay branch folded away at compile time, as in the other optimizers' loops.
    detail::with_flags(
        [&](auto has_wd) {
          detail::for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
              const T d = detail::direction<decltype(has_wd)::value>(sign, g[i], w, p[i]);
              u[i] = d;
              p[i] = p[i] + neg_lr * d;
            }
          });
        },
        wd != 0);
  });
}

}  // namespace eta::optim
