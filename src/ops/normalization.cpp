// batch_norm (one fused op with its own backward, for speed), and layer_norm, dropout and
// embedding as compositions of differentiable primitives, gradchecked through them.
#include "eta/ops/normalization.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "eta/tensor/grad_mode.h"
#include "eta/autograd/node.h"
#include "eta/ops/activation.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/indexing.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "kernels/batch_norm.h"
#include "ops/chain.h"
#include "ops/map.h"
#include "ops/overwrite.h"

namespace eta {

namespace {

// batch_norm's forward from recorded ops, for its create_graph backward (ops/chain.h): batch
// statistics in training, the statistics used by the forward (constants) in eval mode.
Tensor batch_norm_recomputed(const Tensor& x, const Tensor& weight, const Tensor& bias, bool training,
                             const std::vector<double>& mean_used, const std::vector<double>& invstd_used, double eps) {
  Shape per_channel(static_cast<size_t>(x.dim()), 1);
  per_channel[1] = x.size(1);
  Shape dims = {0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Tensor y;
  if (training) {
    const Tensor centered = sub(x, mean(x, dims, true));
    y = mul(centered, rsqrt(add(mean(square(centered), dims, true), eps)));
  } else {
    const Tensor m = from_vector(mean_used, per_channel, x.dtype()), r = from_vector(invstd_used, per_channel, x.dtype());
    y = mul(sub(x, m), r);
  }
  if (weight.defined()) y = mul(y, weight.reshape(per_channel));
  if (bias.defined()) y = add(y, bias.reshape(per_channel));
  return y;
}

// batch_norm, and with fuse_relu batch_norm_relu: relu(batch_norm(...)) written in the same pass,
// its backward masking g inside batch norm's (recorded as one node).
Tensor batch_norm_maybe_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                             const Tensor& bias, bool training, double momentum, double eps, bool fuse_relu,
                             bool over_input = false) {
  const char* op = fuse_relu ? "batch_norm_relu" : "batch_norm";
  ETA_CHECK(x.dim() >= 2, op, ": expected input (N, C) or (N, C, ...), got ", shape_str(x.shape()));
  const int64_t n = x.size(0), c = x.size(1), s = c > 0 ? x.numel() / std::max<int64_t>(n * c, 1) : 0;
  const auto check_vec = [&](const Tensor& t, const char* what) {
    if (!t.defined()) return;
    ETA_CHECK(t.dim() == 1 && t.size(0) == c, op, ": ", what, " ", shape_str(t.shape()), " does not match input ",
              shape_str(x.shape()), " with ", c, " channels");
    check_same_dtype(x, t, op);
  };
  check_vec(running_mean, "running_mean");
  check_vec(running_var, "running_var");
  check_vec(weight, "weight");
  check_vec(bias, "bias");
  if (training)
    ETA_CHECK(n * s > 1, op, ": expected more than 1 value per channel when training, got input ", shape_str(x.shape()));
  else
    ETA_CHECK(running_mean.defined() && running_var.defined(), op,
              ": eval mode needs running_mean and running_var (or use training mode)");

  // One fused op (statistics, normalisation, and a two-pass backward) rather than a composite
  // of ~10 elementwise and reduction ops: at the small CNN's shapes it is several times faster.
  const Tensor xc = x.detach().contiguous();
  const Tensor wc = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  auto mean = std::make_shared<std::vector<double>>(static_cast<size_t>(c));
  auto invstd = std::make_shared<std::vector<double>>(static_cast<size_t>(c));
  // Over the input: each kernel reads a channel's statistics, then each value, before writing it.
  Tensor out = over_input ? xc : empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    std::vector<double> var(static_cast<size_t>(c));
    const T* w = wc.defined() ? wc.data_ptr<T>() : nullptr;
    const T* b = bc.defined() ? bc.data_ptr<T>() : nullptr;
    if (training) {
      (fuse_relu ? kernels::batch_norm_train_forward<true, T> : kernels::batch_norm_train_forward<false, T>)(
          xc.data_ptr<T>(), n, c, s, eps, w, b, mean->data(), var.data(), invstd->data(), out.data_ptr<T>());
      if (running_mean.defined() && running_var.defined()) {
        // PyTorch updates the running variance with the unbiased batch variance.
        Tensor rm = running_mean, rv = running_var;  // handles sharing the module's buffers
        const double unbias = static_cast<double>(n * s) / static_cast<double>(n * s - 1);
        for (int64_t ch = 0; ch < c; ++ch) {
          rm.set({ch}, (1 - momentum) * rm.at({ch}) + momentum * (*mean)[ch]);
          rv.set({ch}, (1 - momentum) * rv.at({ch}) + momentum * var[ch] * unbias);
        }
      }
    } else {
      for (int64_t ch = 0; ch < c; ++ch) (*mean)[ch] = running_mean.at({ch}), var[ch] = running_var.at({ch});
      for (int64_t ch = 0; ch < c; ++ch) (*invstd)[ch] = 1.0 / std::sqrt(var[ch] + eps);
      (fuse_relu ? kernels::batch_norm_apply<true, T> : kernels::batch_norm_apply<false, T>)(
          xc.data_ptr<T>(), n, c, s, mean->data(), invstd->data(), w, b, out.data_ptr<T>());
    }
  });
  // The output (without its node: no cycle) is relu's mask; batch norm alone keeps nothing more.
  const Tensor relu_out = fuse_relu ? out.detach() : Tensor();
  const auto backward = [x, weight, bias, xc, wc, relu_out, mean, invstd, n, c, s, training, eps](const Tensor& g,
                                                                                                 const NeedsGrad& need) {
    if (autograd::differentiable_backward()) {
      // relu's mask comes from the forward's output (as unfused relu's does), not from the
      // recomputed batch norm, whose last bit may differ where the output is zero.
      const Tensor gm = relu_out.defined() ? relu_backward(g, relu_out) : g;
      return recomputed_backward(relu_out.defined() ? "batch_norm_relu" : "batch_norm", [&](const std::vector<Tensor>& in) {
        return batch_norm_recomputed(in[0], in[1], in[2], training, *mean, *invstd, eps);
      }, {x, weight, bias}, gm, need);
    }
    const Tensor gc = g.contiguous();
    Tensor dx = need[0] ? empty(xc.shape(), xc.dtype()) : Tensor();
    Tensor dw = need[1] ? empty({c}, xc.dtype()) : Tensor();
    Tensor db = need[2] ? empty({c}, xc.dtype()) : Tensor();
    dispatch_floating(xc.dtype(), "batch_norm_backward", [&](auto tag) {
      using T = decltype(tag);
      kernels::batch_norm_backward(xc.data_ptr<T>(), gc.data_ptr<T>(), relu_out.defined() ? relu_out.data_ptr<T>() : nullptr,
                                   n, c, s, mean->data(), invstd->data(),
                                   wc.defined() ? wc.data_ptr<T>() : nullptr, training,
                                   dx.defined() ? dx.data_ptr<T>() : nullptr, dw.defined() ? dw.data_ptr<T>() : nullptr,
                                   db.defined() ? db.data_ptr<T>() : nullptr);
    });
    return std::vector<Tensor>{dx, dw, db};
  };
  return fuse_relu ? autograd::record("batch_norm_relu", out, {x, weight, bias}, backward)
                   : autograd::record("batch_norm", out, {x, weight, bias}, backward);
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_maybe_relu(x, running_mean, running_var, weight, bias, training, momentum, eps, false);
}

Tensor batch_norm_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                       const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_maybe_relu(x, running_mean, running_var, weight, bias, training, momentum, eps, true);
}

Tensor batch_norm_relu_over(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                            const Tensor& bias, bool training, double momentum, double eps) {
  ETA_CHECK(overwritable(x), "batch_norm_relu_over: the input is shared or a graph is being recorded");
  return batch_norm_maybe_relu(x, running_mean, running_var, weight, bias, training, momentum, eps, true, true);
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
    // Draws in blocks, then a branch-free, vectorised compare: a `draw < p ? 0 : scale` per
    // element compiled to a branch that mispredicted on a p share of elements (4.5 ns each).
    // u = k * 2^-53 < p exactly when k < ceil(p * 2^53), so the mask equals next_double() < p.
    const uint64_t drop_below = static_cast<uint64_t>(std::ceil(p * 0x1.0p53));
    const T scale = static_cast<T>(keep_scale);
    Generator local = gen;  // in registers, not behind a reference the stores might alias
    constexpr int64_t kBlock = 256;
    uint64_t draws[kBlock];
    for (int64_t i0 = 0, n = mask.numel(); i0 < n; i0 += kBlock) {
      const int64_t count = std::min(kBlock, n - i0);
      for (int64_t j = 0; j < count; ++j) draws[j] = local.next_u64() >> 11;
      for (int64_t j = 0; j < count; ++j) m[i0 + j] = static_cast<T>(draws[j] >= drop_below) * scale;
    }
    gen = local;
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
