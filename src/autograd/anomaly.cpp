// Anomaly mode's flag and its two checks (anomaly.h, anomaly_checks.h).
#include "eta/autograd/anomaly.h"

#include <atomic>
#include <cmath>

#include "autograd/anomaly_checks.h"
#include "eta/error.h"

namespace eta::autograd {

namespace {
std::atomic<bool> g_anomaly{false};

// Whether every element is finite; int64 tensors always are.
bool all_finite(const Tensor& t) {
  if (!t.defined() || t.dtype() == kInt64) return true;
  const Tensor c = t.contiguous();
  if (c.dtype() == kFloat32) {
    const float* p = c.data_ptr<float>();
    for (int64_t i = 0; i < c.numel(); ++i)
      if (!std::isfinite(p[i])) return false;
  } else {
    const double* p = c.data_ptr<double>();
    for (int64_t i = 0; i < c.numel(); ++i)
      if (!std::isfinite(p[i])) return false;
  }
  return true;
}

const char* kind(const Tensor& t) {
  for (double v : t.to_vector())
    if (std::isnan(v)) return "NaN";
  return "Inf";
}
}  // namespace

bool anomaly_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
void set_detect_anomaly(bool on) { g_anomaly.store(on, std::memory_order_relaxed); }

void check_forward(const char* op, const Tensor& result, const std::vector<Tensor>& inputs) {
  if (all_finite(result)) return;
  std::string shapes;
  for (const Tensor& in : inputs) {
    if (!all_finite(in)) return;  // not the first op to go wrong: its inputs already were
    shapes += (shapes.empty() ? "" : ", ") + (in.defined() ? shape_str(in.shape()) : std::string("undefined"));
  }
  detail::throw_error("anomaly: op '", op, "' produced ", kind(result), " in its output ", shape_str(result.shape()),
                      " from finite inputs ", shapes);
}

void check_backward(const std::string& op, const Shape& output_shape, const std::vector<Tensor>& grads) {
  for (size_t i = 0; i < grads.size(); ++i)
    if (!all_finite(grads[i]))
      detail::throw_error("anomaly: the backward of op '", op, "' (output ", shape_str(output_shape),
                          ") produced ", kind(grads[i]), " in the gradient of its input ", i, " ",
                          shape_str(grads[i].shape()));
}

}  // namespace eta::autograd
