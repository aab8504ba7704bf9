// AdamHD (see adam_hd.h): the learning rate learned from the hypergradient, then Adam's step.
// The previous direction u = m̂/(√v̂ + ε) is computed from the moments Adam keeps, before this
// step updates them, exactly as Adam's last step used them.
#include "eta/optim/adam_hd.h"

#include <cmath>

#include "optim/adam_fields.h"
#include "optim/hypergradient.h"
#include "optim/update_loop.h"

namespace eta::optim {

Declaration<AdamHDOptions> AdamHD::declaration() {
  Declaration<AdamHDOptions> d{"AdamHD", /*suggested_lr=*/1e-3, adam_fields<AdamHDOptions>()};
  d.fields.push_back({"hypergrad_lr", &AdamHDOptions::hypergrad_lr, util::at_least(0)});
  return d;
}

void AdamHD::before_group(ParamGroup& group, const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                          const std::vector<ParamState*>& states) {
  const AdamHDOptions o = options_of(group);
  double h = 0;
  for (size_t k = 0; k < params.size(); ++k) {
    const ParamState& st = *states[k];
    if (st.empty() || st.scalar("step") == 0) continue;  // no previous step: u = 0
    const double step = st.scalar("step");
    const double bc1 = 1 - std::pow(o.beta1, step), bc2_sqrt = std::sqrt(1 - std::pow(o.beta2, step));
    const Tensor& m_t = st.tensors.at("exp_avg");
    const Tensor& v_t = o.amsgrad ? st.tensors.at("max_exp_avg_sq") : st.tensors.at("exp_avg_sq");
    detail::dispatch(params[k], "AdamHD", [&](auto tag) {
      using T = decltype(tag);
      const T* m = m_t.data_ptr<T>();
      const T* v = v_t.data_ptr<T>();
      h += detail::hyper_dot(grads[k].data_ptr<T>(), params[k].data_ptr<T>(), params[k].numel(),
                             detail::sign(o.maximize), o.weight_decay,
                             [&](int64_t i) {
                               const double denom = std::sqrt(static_cast<double>(v[i])) / bc2_sqrt + o.eps;
                               return static_cast<double>(m[i]) / bc1 / denom;
                             });
    });
  }
  detail::learn_rate(group, h);
}

}  // namespace eta::optim
