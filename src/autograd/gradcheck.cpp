// gradcheck: the analytic Jacobian (one backward per output element) against central differences
// (two forwards per input element), both in float64.
#include "eta/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

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

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& opt) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad())
      ETA_CHECK(inputs[i].dtype() == kFloat64, "gradcheck: input ", i, " is ", dtype_name(inputs[i].dtype()),
                "; finite differences need float64 inputs");

  Tensor out = fn(inputs);
  ETA_CHECK(out.dtype() == kFloat64, "gradcheck: the function returned ", dtype_name(out.dtype()),
            ", expected float64");
  ETA_CHECK(out.requires_grad(), "gradcheck: the output does not require grad (no input requires grad?)");
  const int64_t m = out.numel();

  GradcheckResult result;
  result.ok = true;
  std::ostringstream msg;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    const int64_t n = x.numel();
    // Analytic rows: d out[k] / d x, for each output element k.
    std::vector<double> analytic(static_cast<size_t>(m * n), 0.0);
    for (int64_t k = 0; k < m; ++k) {
      for (const Tensor& in : inputs)
        if (in.defined() && in.requires_grad()) const_cast<Tensor&>(in).zero_grad();
      Tensor seed = zeros(out.shape(), kFloat64);
      seed.data_ptr<double>()[k] = 1.0;
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
      const std::vector<double> fp = fn(inputs).to_vector();
      xj = saved - opt.eps;
      const std::vector<double> fm = fn(inputs).to_vector();
      xj = saved;
      for (int64_t k = 0; k < m; ++k) {
        const double numeric = (fp[static_cast<size_t>(k)] - fm[static_cast<size_t>(k)]) / (2 * opt.eps);
        const double a = analytic[static_cast<size_t>(k * n + j)];
        const double err = std::fabs(a - numeric);
        const double rel = err / std::max({std::fabs(a), std::fabs(numeric), 1e-8});
        result.max_abs_error = std::max(result.max_abs_error, err);
        result.max_rel_error = std::max(result.max_rel_error, rel);
        if (!(err <= opt.atol + opt.rtol * std::fabs(numeric)) && result.ok) {
          result.ok = false;
          msg << "gradcheck: input " << i << " element " << j << ", output element " << k << ": analytic " << a
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

}  // namespace eta
