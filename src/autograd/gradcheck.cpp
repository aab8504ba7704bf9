// gradcheck: the analytic Jacobian (one backward per output element) against central differences
// (two forwards per input element), both in float64.
#include "eta/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "eta/autograd/grad.h"
#include "eta/tensor/generator.h"
#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta {

namespace {

// Storage offset (in elements) of row-major element `flat` of a possibly strided tensor.
int64_t strided_offset(const Tensor& t, int64_t flat) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    const int64_t n = t.shape()[d];
    off += (flat % n) * t.strides()[d];
    flat /= n;
  }
  return off;
}

using MultiFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

// Every output's elements flattened, in order, into one vector.
std::vector<double> flat_values(const std::vector<Tensor>& outs) {
  std::vector<double> all;
  for (const Tensor& o : outs) {
    const std::vector<double> v = o.to_vector();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

// gradcheck of a function with several outputs, taken together as one flat vector. An output
// that does not require grad has a zero analytic Jacobian (a gradient that is constant).
GradcheckResult check_jacobian(const char* name, const MultiFn& fn, const std::vector<Tensor>& inputs,
                               const GradcheckOptions& opt) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad())
      ETA_CHECK(inputs[i].dtype() == kFloat64, name, ": input ", i, " is ", dtype_name(inputs[i].dtype()),
                "; finite differences need float64 inputs");
  const std::vector<Tensor> outs = fn(inputs);
  bool any = false;
  int64_t m = 0;
  for (const Tensor& o : outs) {
    ETA_CHECK(o.dtype() == kFloat64, name, ": the function returned ", dtype_name(o.dtype()), ", expected float64");
    any = any || o.requires_grad();
    m += o.numel();
  }
  ETA_CHECK(any, name, ": the output does not require grad (no input requires grad?)");

  GradcheckResult result;
  result.ok = true;
  std::ostringstream msg;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    const int64_t n = x.numel();
    // Analytic rows: d out[k] / d x, for each output element k.
    std::vector<double> analytic(static_cast<size_t>(m * n), 0.0);
    int64_t k = 0;
    for (const Tensor& out : outs)
      for (int64_t e = 0; e < out.numel(); ++e, ++k) {
        if (!out.requires_grad()) continue;
        for (const Tensor& in : inputs)
          if (in.defined() && in.requires_grad()) const_cast<Tensor&>(in).zero_grad();
        Tensor seed = zeros(out.shape(), kFloat64);
        seed.data_ptr<double>()[e] = 1.0;
        out.backward(seed, /*retain_graph=*/true);
        const Tensor g = x.grad();
        if (!g.defined()) continue;
        const std::vector<double> gv = g.to_vector();
        for (int64_t j = 0; j < n; ++j) analytic[static_cast<size_t>(k * n + j)] = gv[static_cast<size_t>(j)];
      }
    // Numeric columns: (f(x + eps e_j) - f(x - eps e_j)) / 2 eps.
    NoGradGuard no_grad;
    double* base = static_cast<double*>(x.impl()->storage->data) + x.offset();
    for (int64_t j = 0; j < n; ++j) {
      double& xj = base[strided_offset(x, j)];
      const double saved = xj;
      xj = saved + opt.eps;
      const std::vector<double> fp = flat_values(fn(inputs));
      xj = saved - opt.eps;
      const std::vector<double> fm = flat_values(fn(inputs));
      xj = saved;
      for (int64_t kk = 0; kk < m; ++kk) {
        const double numeric = (fp[static_cast<size_t>(kk)] - fm[static_cast<size_t>(kk)]) / (2 * opt.eps);
        const double a = analytic[static_cast<size_t>(kk * n + j)];
        const double err = std::fabs(a - numeric);
        const double rel = err / std::max({std::fabs(a), std::fabs(numeric), 1e-8});
        result.max_abs_error = std::max(result.max_abs_error, err);
        result.max_rel_error = std::max(result.max_rel_error, rel);
        if (!(err <= opt.atol + opt.rtol * std::fabs(numeric)) && result.ok) {
          result.ok = false;
          msg << name << ": input " << i << " element " << j << ", output element " << kk << ": analytic " << a
              << " vs numeric " << numeric << " (|diff| " << err << ")";
        }
      }
    }
  }
  for (const Tensor& in : inputs)
    if (in.defined() && in.requires_grad()) const_cast<Tensor&>(in).zero_grad();
  result.message = result.ok ? "ok" : msg.str();
  return result;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& opt) {
  return check_jacobian("gradcheck", [&fn](const std::vector<Tensor>& in) { return std::vector<Tensor>{fn(in)}; },
                        inputs, opt);
}

GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                              const std::vector<Tensor>& inputs, const GradcheckOptions& opt, uint64_t seed) {
  std::vector<size_t> wrt;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) wrt.push_back(i);
  ETA_CHECK(!wrt.empty(), "gradgradcheck: no input requires grad");
  Shape out_shape;
  {
    NoGradGuard no_grad;
    out_shape = fn(inputs).shape();
  }
  Generator gen(seed);
  std::vector<Tensor> extended = inputs;
  extended.push_back(randn(out_shape, kFloat64, gen).requires_grad_());
  // The first-order gradients, a function of the inputs and of v (the last input).
  const auto first_order = [&fn, &wrt](const std::vector<Tensor>& in) {
    GradModeGuard grad_mode(true);  // the finite differences run under NoGradGuard
    const std::vector<Tensor> original(in.begin(), in.end() - 1);
    std::vector<Tensor> wanted;
    for (size_t i : wrt) wanted.push_back(original[i]);
    std::vector<Tensor> grads = autograd::grad({fn(original)}, wanted, {in.back()}, std::nullopt,
                                               /*create_graph=*/true, /*allow_unused=*/true);
    for (size_t k = 0; k < grads.size(); ++k)
      if (!grads[k].defined()) grads[k] = zeros_like(wanted[k]);  // unused: a zero gradient
    return grads;
  };
  GradcheckResult r = check_jacobian("gradgradcheck", first_order, extended, opt);
  if (!r.ok) r.message += " (input " + std::to_string(inputs.size()) + " is the seed v of the first backward)";
  return r;
}

}  // namespace eta
