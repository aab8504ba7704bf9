// Curvature of a loss at fixed parameters: Hessian-vector products (double backward), the top
// Hessian eigenvalue by power iteration ("sharpness", λ_max: gradient descent with learning rate η
// is stable on a quadratic only while η < 2/λ_max), the top k by Lanczos, and the preconditioned
// sharpness λ_max(P⁻¹H) of an Adam-type optimizer. Measuring changes nothing: parameters, their
// .grad, buffers (batch-norm statistics) and the global random streams are as they were after.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::nn {
class Module;
}
namespace eta::optim {
class Optimizer;
}

namespace eta::train {

// H at the current parameters. The constructor calls loss_fn() once (a fixed batch: the one
// forward pass every product reuses) and keeps its gradient with create_graph; each apply() is one
// more backward pass through that graph. `buffers` are put back after the forward (batch norm in
// training mode updates its running statistics there).
class HessianOperator {
 public:
  HessianOperator(const std::vector<Tensor>& params, const std::function<Tensor()>& loss_fn,
                  const std::vector<Tensor>& buffers = {});
  HessianOperator(nn::Module& model, const std::function<Tensor()>& loss_fn);  // its parameters and buffers

  double loss() const { return loss_; }
  const std::vector<Tensor>& params() const { return params_; }
  // H v for v shaped like the parameters (detached results, the parameters' dtype).
  std::vector<Tensor> apply(const std::vector<Tensor>& v) const;

 private:
  std::vector<Tensor> params_, grads_;
  double loss_ = 0;
};

// H v in one call (builds a HessianOperator; use one directly for several products).
std::vector<Tensor> hessian_vector_product(const std::vector<Tensor>& params, const std::function<Tensor()>& loss_fn,
                                           const std::vector<Tensor>& v);

struct EigenOptions {
  int64_t max_iter = 100;  // products of H at most
  double tol = 1e-6;       // stop when the estimate changes by less than tol × |estimate|
  uint64_t seed = 0;       // the start vector (its own generator: no global stream is drawn from)
  // A start vector instead of the random one (e.g. the previous measurement's eigenvector, which
  // makes tracking λ_max during training a few products per measurement).
  std::vector<Tensor> start = {};
};

struct EigenResult {
  double value = 0;            // the largest eigenvalue (λ_max, not the largest in magnitude)
  std::vector<Tensor> vector;  // its unit eigenvector, shaped like the parameters
  int64_t iterations = 0;
  bool converged = false;
  std::vector<double> history;  // the estimate after each product
};

// λ_max by power iteration on H (Rayleigh quotient of each iterate); when the eigenvalue of largest
// magnitude is negative (at initialisation it can be), a second, shifted run finds λ_max.
// Deterministic for a seed.
EigenResult top_hessian_eigenvalue(const HessianOperator& h, const EigenOptions& options = {});

// The k eigenvalues of largest value (descending) by Lanczos with full reorthogonalisation over
// `steps` products (steps ≥ k; more steps, better estimates of the inner ones).
std::vector<double> top_hessian_eigenvalues(const HessianOperator& h, int64_t k, int64_t steps = 0,
                                            uint64_t seed = 0);

// λ_max(P⁻¹H) for a diagonal positive preconditioner P (one tensor per parameter), by power
// iteration on the symmetric P^(-1/2) H P^(-1/2), which has the same eigenvalues. For Adam-type
// optimizers P = (√v̂ + ε) / η per element makes the step θ ← θ − P⁻¹m̂, so the update is stable
// on a quadratic while λ_max(P⁻¹H) < 2 (without momentum) — the preconditioned sharpness of
// Cohen et al., "Adaptive Gradient Methods at the Edge of Stability" (2022), whose threshold with
// momentum β1 is (2 + 2β1) / (1 − β1).
EigenResult preconditioned_sharpness(const HessianOperator& h, const std::vector<Tensor>& preconditioner,
                                     const EigenOptions& options = {});

// Adam's preconditioner from its state, for preconditioned_sharpness: P = (√(v / (1 − β2^t)) + ε)
// / lr for every parameter, in the optimizer's order (across groups). Throws, naming the
// parameter, when the optimizer keeps no exp_avg_sq for one (not an Adam-type optimizer, or no
// step taken yet).
std::vector<Tensor> adam_preconditioner(const optim::Optimizer& optimizer);

}  // namespace eta::train
