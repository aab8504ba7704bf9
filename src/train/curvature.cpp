// Curvature: Hessian-vector products by double backward through one retained forward pass, power
// iteration, Lanczos, and the preconditioned sharpness. Vectors are lists of tensors shaped like
// the parameters; their dot products and norms are summed in double.
#include "eta/train/curvature.h"

#include <algorithm>
#include <cmath>

#include "eta/autograd/grad.h"
#include "eta/error.h"
#include "eta/nn/module.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/reduction.h"
#include "eta/optim/optimizer.h"
#include "eta/tensor/factory.h"
#include "eta/tensor/generator.h"
#include "eta/tensor/grad_mode.h"
#include "kernels/blas.h"
#include "train/saved_values.h"

namespace eta::train {

namespace {

using Vec = std::vector<Tensor>;

double dot(const Vec& a, const Vec& b) {
  NoGradGuard no_grad;
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += sum(mul(a[i].to(kFloat64), b[i].to(kFloat64))).item();
  return s;
}

// f(a[i], b[i]) for each pair of the two lists, unrecorded.
template <class F>
Vec zip(const Vec& a, const Vec& b, const F& f) {
  NoGradGuard no_grad;
  Vec out;
  for (size_t i = 0; i < a.size(); ++i) out.push_back(f(a[i], b[i]));
  return out;
}

Vec scaled(const Vec& x, double a) {
  return zip(x, x, [a](const Tensor& t, const Tensor&) { return mul(t, a); });
}

// x / |x|, given |x|^2 (a caller that has it already need not compute it again).
Vec normalized(const Vec& x, double norm2) {
  const double n = std::sqrt(norm2);
  ETA_CHECK(n > 0 && std::isfinite(n), "curvature: a vector of norm ", n, " cannot be normalised");
  return scaled(x, 1 / n);
}

Vec normalized(const Vec& x) { return normalized(x, dot(x, x)); }

// A standard normal start vector shaped like the parameters, from its own generator.
Vec random_like(const Vec& params, uint64_t seed) {
  Generator gen(seed);
  Vec out;
  for (const Tensor& p : params) out.push_back(randn(p.shape(), p.dtype(), gen));
  return out;
}

// Puts buffers back as they were when it was made, also when the forward pass throws.
struct BufferRestore {
  explicit BufferRestore(const Vec& buffers) : saved(buffers) {}
  ~BufferRestore() { saved.restore(); }
  SavedValues saved;
};

Tensor product(const Tensor& a, const Tensor& b) { return mul(a, b); }

// Power iteration for the eigenvalue of largest magnitude of a symmetric operator.
EigenResult power_iteration(const std::function<Vec(const Vec&)>& op, const Vec& like, const EigenOptions& o) {
  ETA_CHECK(o.max_iter >= 1, "top_hessian_eigenvalue: max_iter must be >= 1, got ", o.max_iter);
  ETA_CHECK(o.tol >= 0, "top_hessian_eigenvalue: tol must be >= 0, got ", o.tol);
  EigenResult r;
  ETA_CHECK(o.start.empty() || o.start.size() == like.size(), "top_hessian_eigenvalue: a start vector of ",
            o.start.size(), " tensors for ", like.size(), " parameters");
  Vec v = normalized(o.start.empty() ? random_like(like, o.seed) : o.start);
  for (int64_t it = 1; it <= o.max_iter; ++it) {
    const Vec hv = op(v);
    const double estimate = dot(v, hv);  // Rayleigh quotient, v of unit norm
    ETA_CHECK(std::isfinite(estimate), "top_hessian_eigenvalue: the estimate became ", estimate,
              " at iteration ", it, " (a non-finite loss or gradient at these parameters?)");
    r.history.push_back(estimate);
    r.iterations = it;
    const bool settled = it > 1 && std::fabs(estimate - r.value) <= o.tol * std::fabs(estimate);
    r.value = estimate;
    const double hv2 = dot(hv, hv);
    if (hv2 == 0) {  // H v = 0: v is in the kernel, and 0 the answer
      r.vector = v;
      r.converged = true;
      return r;
    }
    v = normalized(hv, hv2);
    if (settled) {
      r.converged = true;
      break;
    }
  }
  r.vector = v;
  return r;
}

// The largest eigenvalue (algebraic, not in magnitude). Power iteration finds the eigenvalue of
// largest magnitude; when that is a negative λ_min, op − λ_min·I has eigenvalues λ_i − λ_min ≥ 0,
// the largest λ_max − λ_min, so a second run on it finds λ_max.
EigenResult largest_eigenvalue(const std::function<Vec(const Vec&)>& op, const Vec& like, const EigenOptions& o) {
  EigenResult r = power_iteration(op, like, o);
  if (r.value >= 0) return r;
  const double shift = r.value;
  const auto shifted = [&](const Vec& v) {
    return zip(op(v), v, [shift](const Tensor& hv, const Tensor& x) { return sub(hv, mul(x, shift)); });
  };
  EigenResult top = power_iteration(shifted, like, o);
  top.value += shift;
  for (double& h : top.history) h += shift;
  top.iterations += r.iterations;
  top.history.insert(top.history.begin(), r.history.begin(), r.history.end());
  return top;
}

}  // namespace

HessianOperator::HessianOperator(const std::vector<Tensor>& params, const std::function<Tensor()>& loss_fn,
                                 const std::vector<Tensor>& buffers)
    : params_(params) {
  ETA_CHECK(!params_.empty(), "HessianOperator: no parameters");
  for (size_t i = 0; i < params_.size(); ++i)
    ETA_CHECK(params_[i].defined() && params_[i].requires_grad() && is_floating(params_[i].dtype()),
              "HessianOperator: parameter ", i, " does not require grad");
  Tensor loss;
  {
    const BufferRestore restore(buffers);  // batch norm's running statistics, updated by the forward
    GradModeGuard grad_mode(true);
    loss = loss_fn();
  }
  ETA_CHECK(loss.defined() && loss.numel() == 1, "HessianOperator: loss_fn must return a one-element loss, got ",
            loss.defined() ? shape_str(loss.shape()) : std::string("an undefined tensor"));
  loss_ = loss.item();
  ETA_CHECK(std::isfinite(loss_), "HessianOperator: the loss is ", loss_, " at these parameters");
  grads_ = autograd::grad({loss}, params_, {}, /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
  for (size_t i = 0; i < grads_.size(); ++i)
    if (!grads_[i].defined()) grads_[i] = zeros_like(params_[i]);  // unused: no curvature either
}

HessianOperator::HessianOperator(nn::Module& model, const std::function<Tensor()>& loss_fn)
    : HessianOperator(model.parameters(), loss_fn, [&model] {
        Vec b;
        for (const auto& [name, t] : model.named_buffers()) b.push_back(t);
        return b;
      }()) {}

std::vector<Tensor> HessianOperator::apply(const std::vector<Tensor>& v) const {
  ETA_CHECK(v.size() == params_.size(), "HessianOperator::apply: ", v.size(), " tensors for ", params_.size(),
            " parameters");
  for (size_t i = 0; i < v.size(); ++i)
    ETA_CHECK(v[i].shape() == params_[i].shape(), "HessianOperator::apply: vector ", i, " has shape ",
              shape_str(v[i].shape()), " but parameter ", i, " has ", shape_str(params_[i].shape()));
  // H v = d(∇L · v)/dθ, v held constant.
  Vec wanted, seeds;
  for (size_t i = 0; i < grads_.size(); ++i) {
    if (!grads_[i].requires_grad()) continue;  // a gradient that does not depend on θ: zero curvature
    wanted.push_back(grads_[i]);
    seeds.push_back(v[i].detach().to(grads_[i].dtype()).contiguous());
  }
  Vec hv(params_.size());
  if (!wanted.empty()) {
    GradModeGuard grad_mode(true);
    Tensor gv = sum(mul(wanted[0], seeds[0]));
    for (size_t i = 1; i < wanted.size(); ++i) gv = add(gv, sum(mul(wanted[i], seeds[i])));
    if (gv.requires_grad())
      hv = autograd::grad({gv}, params_, {}, /*retain_graph=*/true, /*create_graph=*/false, /*allow_unused=*/true);
  }
  for (size_t i = 0; i < hv.size(); ++i) hv[i] = hv[i].defined() ? hv[i].detach() : zeros_like(params_[i]);
  return hv;
}

std::vector<Tensor> hessian_vector_product(const std::vector<Tensor>& params, const std::function<Tensor()>& loss_fn,
                                           const std::vector<Tensor>& v) {
  return HessianOperator(params, loss_fn).apply(v);
}

EigenResult top_hessian_eigenvalue(const HessianOperator& h, const EigenOptions& options) {
  return largest_eigenvalue([&h](const Vec& v) { return h.apply(v); }, h.params(), options);
}

std::vector<double> top_hessian_eigenvalues(const HessianOperator& h, int64_t k, int64_t steps, uint64_t seed) {
  int64_t n = 0;
  for (const Tensor& p : h.params()) n += p.numel();
  if (steps == 0) steps = std::min<int64_t>(n, std::max<int64_t>(2 * k, k + 20));
  ETA_CHECK(k >= 1 && k <= steps && steps <= n, "top_hessian_eigenvalues: need 1 <= k (", k, ") <= steps (", steps,
            ") <= the number of parameters (", n, ")");
  // Lanczos: an orthonormal basis Q of the Krylov space and the tridiagonal T = Qᵀ H Q; T's
  // largest eigenvalues approximate H's. Full reorthogonalisation keeps Q orthonormal in floating point.
  std::vector<Vec> q = {normalized(random_like(h.params(), seed))};
  std::vector<double> alpha, beta;
  for (int64_t j = 0; j < steps; ++j) {
    Vec w = h.apply(q[static_cast<size_t>(j)]);
    alpha.push_back(dot(w, q[static_cast<size_t>(j)]));
    for (int pass = 0; pass < 2; ++pass)
      for (const Vec& qi : q) {
        const double c = dot(w, qi);
        w = zip(w, qi, [c](const Tensor& wi, const Tensor& qj) { return sub(wi, mul(qj, c)); });
      }
    const double b = std::sqrt(dot(w, w));
    if (j + 1 == steps || b < 1e-10 * std::fabs(alpha.back())) break;  // done, or the space is invariant
    beta.push_back(b);
    q.push_back(scaled(w, 1 / b));
  }
  std::vector<double> eig = alpha;  // becomes T's eigenvalues, ascending
  const int info = kernels::tridiagonal_eigenvalues(eig, beta);
  ETA_CHECK(info == 0, "tridiagonal_eigenvalues: LAPACK dstev did not converge (info ", info, ") on ", eig.size(),
            " entries; a non-finite Hessian-vector product?");
  std::sort(eig.begin(), eig.end(), std::greater<>());
  eig.resize(std::min<size_t>(eig.size(), static_cast<size_t>(k)));
  return eig;
}

EigenResult preconditioned_sharpness(const HessianOperator& h, const std::vector<Tensor>& preconditioner,
                                     const EigenOptions& options) {
  const Vec& params = h.params();
  ETA_CHECK(preconditioner.size() == params.size(), "preconditioned_sharpness: ", preconditioner.size(),
            " preconditioner tensors for ", params.size(), " parameters");
  Vec inv_sqrt;
  {
    NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      const Tensor& p = preconditioner[i];
      ETA_CHECK(p.shape() == params[i].shape(), "preconditioned_sharpness: preconditioner ", i, " has shape ",
                shape_str(p.shape()), " but parameter ", i, " has ", shape_str(params[i].shape()));
      ETA_CHECK(min(p).item() > 0, "preconditioned_sharpness: preconditioner ", i, " has a non-positive entry");
      inv_sqrt.push_back(rsqrt(p.detach().to(params[i].dtype())));
    }
  }
  // P^(-1/2) H P^(-1/2) is symmetric with the eigenvalues of P⁻¹H; its eigenvector u gives P⁻¹H's
  // as P^(-1/2) u.
  EigenResult r = largest_eigenvalue(
      [&](const Vec& v) { return zip(h.apply(zip(v, inv_sqrt, product)), inv_sqrt, product); }, params, options);
  r.vector = normalized(zip(r.vector, inv_sqrt, product));
  return r;
}

std::vector<Tensor> adam_preconditioner(const optim::Optimizer& optimizer) {
  Vec out;
  size_t index = 0;
  NoGradGuard no_grad;
  for (const optim::ParamGroup& g : optimizer.param_groups())
    for (size_t j = 0; j < g.params.size(); ++j, ++index) {
      const optim::ParamState& st = optimizer.state(index);
      const auto it = st.tensors.find("exp_avg_sq");
      ETA_CHECK(it != st.tensors.end(), "adam_preconditioner: ", optimizer.name(), " keeps no exp_avg_sq for parameter ",
                index, " (not an Adam-type optimizer, or no step taken yet)");
      // With amsgrad Adam divides by the running maximum of v (kept only then), as AdamHD does.
      const auto vmax = st.tensors.find("max_exp_avg_sq");
      const Tensor& v = vmax != st.tensors.end() ? vmax->second : it->second;
      const double step = st.scalar("step");
      const double bias2 = 1 - std::pow(g.option("beta2"), step);
      out.push_back(div(add(sqrt(div(v, bias2)), g.option("eps")), g.lr()));
    }
  return out;
}

}  // namespace eta::train
