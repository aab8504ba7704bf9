// Global gradient norms and clipping (grad_tools.h).
#include "eta/train/grad_tools.h"

#include <cmath>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/ops/elementwise.h"

namespace eta::train {

double l2_norm(const Tensor& t) {
  const Tensor c = t.contiguous();
  double s = 0;
  if (c.dtype() == kFloat32) {
    const float* p = c.data_ptr<float>();
    for (int64_t i = 0; i < c.numel(); ++i) s += static_cast<double>(p[i]) * p[i];
  } else if (c.dtype() == kFloat64) {
    const double* p = c.data_ptr<double>();
    for (int64_t i = 0; i < c.numel(); ++i) s += p[i] * p[i];
  } else {
    for (double v : c.to_vector()) s += v * v;
  }
  return std::sqrt(s);
}

double grad_norm(const std::vector<Tensor>& params) {
  double s = 0;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    const double n = l2_norm(g);
    s += n * n;
  }
  return std::sqrt(s);
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm) {
  ETA_CHECK(max_norm > 0, "clip_grad_norm_: max_norm is ", max_norm, ", must be positive");
  const double norm = grad_norm(params);
  if (norm > max_norm) {
    NoGradGuard no_grad;
    const double scale = max_norm / (norm + 1e-6);  // PyTorch's epsilon
    for (const Tensor& p : params) {
      Tensor g = p.grad();
      if (g.defined()) g.copy_(mul(g, scale));
    }
  }
  return norm;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  ETA_CHECK(clip_value > 0, "clip_grad_value_: clip_value is ", clip_value, ", must be positive");
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (g.defined()) g.copy_(clamp(g, -clip_value, clip_value));
  }
}

}  // namespace eta::train
