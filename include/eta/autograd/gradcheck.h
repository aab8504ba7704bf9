// gradcheck: compares autodiff's Jacobian with central finite differences, in float64. Public so
// users can check their own ops the same way eta's tests check every built-in one.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta {

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;  // pass when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = false;
  double max_abs_error = 0;
  double max_rel_error = 0;  // max over entries of |a - n| / max(|a|, |n|, 1e-8)
  std::string message;       // names the worst input / entry when !ok
};

// `fn` maps inputs to one tensor. Every input that requires grad must be float64. The full
// Jacobian is compared: one backward per output element, two forwards per input element.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

// gradgradcheck: second-order finite differences against the double-backward Jacobian (PyTorch's
// gradgradcheck). The gradients of fn's output, seeded with a fixed pseudo-random tensor v and
// computed with create_graph, are gradchecked as a function of the inputs and v: that checks every
// op's backward is itself differentiated correctly (Hessian-vector products, curvature).
// `seed` draws v; inputs that require grad must be float64.
GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                              const std::vector<Tensor>& inputs, const GradcheckOptions& options = {},
                              uint64_t seed = 0);

}  // namespace eta
