// batch_norm, layer_norm, dropout and embedding, written as compositions of differentiable
// primitives: their gradients need no rules of their own and are gradchecked through them.
#include "eta/ops/normalization.h"

#include "eta/autograd/grad_mode.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/indexing.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "ops/map.h"

namespace eta {

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  ETA_CHECK(x.dim() >= 2, "batch_norm: expected input (N, C) or (N, C, ...), got ", shape_str(x.shape()));
  const int64_t c = x.size(1);
  const auto check_vec = [&](const Tensor& t, const char* what) {
    if (!t.defined()) return;
    ETA_CHECK(t.dim() == 1 && t.size(0) == c, "batch_norm: ", what, " ", shape_str(t.shape()), " does not match input ",
              shape_str(x.shape()), " with ", c, " channels");
    check_same_dtype(x, t, "batch_norm");
  };
  check_vec(running_mean, "running_mean");
  check_vec(running_var, "running_var");
  check_vec(weight, "weight");
  check_vec(bias, "bias");
  Shape dims{0}, bshape(static_cast<size_t>(x.dim()), 1);
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  bshape[1] = c;
  Tensor mu, var_b;
  if (training) {
    const int64_t n = x.numel() / std::max<int64_t>(c, 1);
    ETA_CHECK(n > 1, "batch_norm: expected more than 1 value per channel when training, got input ", shape_str(x.shape()));
    mu = mean(x, dims, true);
    const Tensor centered = sub(x, mu);
    var_b = mean(mul(centered, centered), dims, true);
    if (running_mean.defined() && running_var.defined()) {
      NoGradGuard no_grad;
      Tensor rm = running_mean, rv = running_var;
      rm.mul_(1 - momentum).add_(mu.detach().reshape({c}), momentum);
      rv.mul_(1 - momentum).add_(var_b.detach().reshape({c}), momentum * static_cast<double>(n) / static_cast<double>(n - 1));
    }
  } else {
    ETA_CHECK(running_mean.defined() && running_var.defined(),
              "batch_norm: eval mode needs running_mean and running_var (or use training mode)");
    mu = running_mean.reshape(bshape);
    var_b = running_var.reshape(bshape);
  }
  Tensor y = div(sub(x, mu), sqrt(add(var_b, eps)));
  if (weight.defined()) y = mul(y, weight.reshape(bshape));
  if (bias.defined()) y = add(y, bias.reshape(bshape));
  return y;
}

Tensor layer_norm(const Tensor& x, int64_t k, const Tensor& weight, const Tensor& bias, double eps) {
  ETA_CHECK(k >= 1 && k <= x.dim(), "layer_norm: cannot normalise the last ", k, " dims of input ", shape_str(x.shape()));
  const Shape norm_shape(x.shape().end() - k, x.shape().end());
  for (const Tensor* t : {&weight, &bias})
    if (t->defined())
      ETA_CHECK(t->shape() == norm_shape, "layer_norm: weight/bias ", shape_str(t->shape()), " must have shape ",
                shape_str(norm_shape), " for input ", shape_str(x.shape()));
  Shape dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  const Tensor centered = sub(x, mean(x, dims, true));
  Tensor y = div(centered, sqrt(add(mean(mul(centered, centered), dims, true), eps)));
  if (weight.defined()) y = mul(y, weight);
  if (bias.defined()) y = add(y, bias);
  return y;
}

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  ETA_CHECK(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return mul(x, 0.0);
  // The mask is drawn serially from the generator: the same seed gives the same mask whatever
  // the thread count.
  Tensor mask = empty(x.shape(), x.dtype());
  const double keep_scale = 1.0 / (1.0 - p);
  dispatch_floating(x.dtype(), "dropout", [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data_ptr<T>();
    for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = gen.next_double() < p ? T(0) : static_cast<T>(keep_scale);
  });
  return mul(x, mask);
}

Tensor embedding(const Tensor& indices, const Tensor& weight) {
  ETA_CHECK(weight.dim() == 2, "embedding: weight must be 2-D (num_embeddings, dim), got ", shape_str(weight.shape()));
  ETA_CHECK(indices.dtype() == kInt64, "embedding: indices must be int64, got ", dtype_name(indices.dtype()));
  Shape out_shape = indices.shape();
  out_shape.push_back(weight.size(1));
  return index_select(weight, 0, indices.reshape({-1})).reshape(out_shape);
}

}  // namespace eta
