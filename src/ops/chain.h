// Backward formulas of the shape g * f'(x), written once for both of the engine's modes: the fast
// path is one fused pass over (g, x); under autograd::differentiable_backward() (create_graph) the
// same product is built from recorded ops, so that it can be differentiated again.
#pragma once
#include "eta/autograd/grad.h"
#include "eta/autograd/node.h"
#include "eta/error.h"
#include "eta/ops/elementwise.h"
#include "ops/map.h"

namespace eta {

// g * f'(x): `fused(gv, xv)` is the fast elementwise formula, `derivative(x)` builds f'(x) from
// recorded ops (x keeps its history).
template <class Fused, class Derivative>
Tensor chain(const Tensor& g, const Tensor& x, const char* name, const Fused& fused, const Derivative& derivative) {
  if (autograd::differentiable_backward()) return mul(g, derivative(x));
  return map2(g, x, name, fused);
}

// g * m(x) for a piecewise-constant m (ReLU's mask, clamp's window, sign): `fused(gv, xv)` is
// linear in gv. Under create_graph m(x) = fused(1, x) is a constant tensor, whose derivative is
// zero almost everywhere (as in PyTorch), so only g carries history.
template <class Fused>
Tensor masked_chain(const Tensor& g, const Tensor& x, const char* name, const Fused& fused) {
  if (!autograd::differentiable_backward()) return map2(g, x, name, fused);
  return mul(g, map1(x, name, [&fused](auto v) { return fused(decltype(v)(1), v); }));
}

// relu's backward from its output y: g where y > 0, zero elsewhere (relu and batch_norm_relu).
inline Tensor relu_backward(const Tensor& g, const Tensor& y) {
  return masked_chain(g, y, "relu_backward", [](auto gv, auto v) { return v > decltype(v)(0) ? gv : decltype(v)(0); });
}

// The create_graph backward of a fused op that is easier to recompute than to differentiate by
// hand (batch_norm): `recompute(inputs)` rebuilds the output from recorded ops, and grad() of that
// rebuilt output gives differentiable gradients for the inputs that need them. Only the rebuilt
// ops run: grad() stops at the inputs. `op` names the op in errors.
template <class F>
std::vector<Tensor> recomputed_backward(const char* op, const F& recompute, const std::vector<Tensor>& inputs,
                                        const Tensor& g, const NeedsGrad& need) {
  std::vector<Tensor> wanted;
  std::vector<size_t> slot(inputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!need[i]) continue;
    for (const Tensor& w : wanted)
      ETA_CHECK(w.impl() != inputs[i].impl(), op, ": create_graph through an op given the same tensor as two of its "
                "inputs is not supported");
    slot[i] = wanted.size();
    wanted.push_back(inputs[i]);
  }
  std::vector<Tensor> result(inputs.size());
  if (wanted.empty()) return result;
  const std::vector<Tensor> grads = autograd::grad({recompute(inputs)}, wanted, {g}, /*retain_graph=*/true,
                                                   /*create_graph=*/true, /*allow_unused=*/true);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (slot[i] < wanted.size()) result[i] = grads[slot[i]];
  return result;
}

}  // namespace eta
