// SyncBatchNorm's op: two-pass global statistics (mean, then centred squares) so that float64
// results match BatchNorm on the global batch to rounding; the backward reduces the two
// per-channel sums every input gradient depends on.
#include "eta/dist/sync_batch_norm.h"

#include <cmath>
#include <memory>
#include <vector>

#include "eta/autograd/node.h"
#include "eta/dist/collectives.h"
#include "eta/error.h"
#include "tensor/dispatch.h"

namespace eta::nn {

namespace {

struct Layout {
  int64_t n, c, s;  // batch, channels, elements per channel per example
  template <class T, class F>
  void each(const T* x, const F& f) const {  // f(channel, value, flat index)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t base = (i * c + ch) * s;
        for (int64_t k = 0; k < s; ++k) f(ch, x[base + k], base + k);
      }
  }
};

struct Stats {
  std::vector<double> mean, invstd;
  double count = 0;
};

template <class T>
Stats global_stats(const T* x, const Layout& l, double eps, std::vector<double>& var) {
  const size_t C = static_cast<size_t>(l.c);
  std::vector<double> sums(C + 1, 0.0);
  l.each(x, [&](int64_t ch, T v, int64_t) { sums[static_cast<size_t>(ch)] += static_cast<double>(v); });
  sums[C] = static_cast<double>(l.n * l.s);
  dist::all_reduce(sums);
  Stats st;
  st.count = sums[C];
  ETA_CHECK(st.count > 1, "SyncBatchNorm: expected more than 1 value per channel over all processes when training, got ",
            st.count);
  st.mean.resize(C);
  for (size_t ch = 0; ch < C; ++ch) st.mean[ch] = sums[ch] / st.count;
  std::vector<double> squares(C, 0.0);
  l.each(x, [&](int64_t ch, T v, int64_t) {
    const double d = static_cast<double>(v) - st.mean[static_cast<size_t>(ch)];
    squares[static_cast<size_t>(ch)] += d * d;
  });
  dist::all_reduce(squares);
  var.resize(C);
  st.invstd.resize(C);
  for (size_t ch = 0; ch < C; ++ch) {
    var[ch] = squares[ch] / st.count;
    st.invstd[ch] = 1.0 / std::sqrt(var[ch] + eps);
  }
  return st;
}

}  // namespace

SyncBatchNorm::SyncBatchNorm(int64_t num_features, double eps, double momentum, bool affine, bool track)
    : BatchNorm("SyncBatchNorm", num_features, eps, momentum, affine, track), num_features_(num_features) {}

Tensor SyncBatchNorm::forward(const Tensor& x) {
  if (!is_training() && running_mean.defined()) return BatchNorm::forward(x);
  ETA_CHECK(accepts_rank(x.dim()) && x.size(1) == num_features_, "SyncBatchNorm: input ", shape_str(x.shape()),
            " is not (N, ", num_features_, ", ...)");
  if (is_training() && num_batches_tracked.defined()) num_batches_tracked.set({}, num_batches_tracked.item() + 1);
  return sync_batch_norm(x, is_training() ? running_mean : Tensor(), is_training() ? running_var : Tensor(), weight,
                         bias, momentum, eps);
}

Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                       const Tensor& bias, double momentum, double eps) {
  ETA_CHECK(x.dim() >= 2, "sync_batch_norm: expected input (N, C, ...), got ", shape_str(x.shape()));
  const int64_t n = x.size(0), c = x.size(1), s = n * c > 0 ? x.numel() / (n * c) : 0;
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
    if (t->defined())
      ETA_CHECK(t->dim() == 1 && t->size(0) == c && t->dtype() == x.dtype(), "sync_batch_norm: ", shape_str(t->shape()),
                " ", dtype_name(t->dtype()), " does not match input ", shape_str(x.shape()), " ", dtype_name(x.dtype()));
  const Layout l{n, c, s};
  const Tensor xc = x.detach().contiguous();
  const Tensor wc = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  auto st = std::make_shared<Stats>();
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "sync_batch_norm", [&](auto tag) {
    using T = decltype(tag);
    std::vector<double> var;
    *st = global_stats(xc.data_ptr<T>(), l, eps, var);
    if (running_mean.defined() && running_var.defined()) {
      Tensor rm = running_mean, rv = running_var;  // PyTorch: the unbiased variance in the running one
      for (int64_t ch = 0; ch < c; ++ch) {
        const size_t k = static_cast<size_t>(ch);
        rm.set({ch}, (1 - momentum) * rm.at({ch}) + momentum * st->mean[k]);
        rv.set({ch}, (1 - momentum) * rv.at({ch}) + momentum * var[k] * st->count / (st->count - 1));
      }
    }
    const T* w = wc.defined() ? wc.data_ptr<T>() : nullptr;
    const T* b = bc.defined() ? bc.data_ptr<T>() : nullptr;
    T* o = out.data_ptr<T>();
    l.each(xc.data_ptr<T>(), [&](int64_t ch, T v, int64_t at) {
      const size_t k = static_cast<size_t>(ch);
      const double y = (static_cast<double>(v) - st->mean[k]) * st->invstd[k];
      o[at] = static_cast<T>(y * (w ? static_cast<double>(w[ch]) : 1.0) + (b ? static_cast<double>(b[ch]) : 0.0));
    });
  });
  return autograd::record("sync_batch_norm", out, {x, weight, bias}, [xc, wc, st, l](const Tensor& g, const NeedsGrad& need) {
    ETA_CHECK(!autograd::differentiable_backward(), "sync_batch_norm: higher-order gradients (create_graph) are not "
              "supported through SyncBatchNorm; use BatchNorm for curvature measurements");
    const Tensor gc = g.contiguous();
    const size_t C = static_cast<size_t>(l.c);
    Tensor dx, dw, db;
    dispatch_floating(xc.dtype(), "sync_batch_norm_backward", [&](auto tag) {
      using T = decltype(tag);
      const T* x = xc.data_ptr<T>();
      const T* dy = gc.data_ptr<T>();
      std::vector<double> sums(2 * C, 0.0);  // per channel: sum of dy, sum of dy * xhat (this rank's)
      l.each(x, [&](int64_t ch, T v, int64_t at) {
        const size_t k = static_cast<size_t>(ch);
        sums[k] += static_cast<double>(dy[at]);
        sums[C + k] += static_cast<double>(dy[at]) * (static_cast<double>(v) - st->mean[k]) * st->invstd[k];
      });
      if (need[1]) {
        dw = empty({l.c}, xc.dtype());
        for (size_t k = 0; k < C; ++k) dw.data_ptr<T>()[k] = static_cast<T>(sums[C + k]);
      }
      if (need[2]) {
        db = empty({l.c}, xc.dtype());
        for (size_t k = 0; k < C; ++k) db.data_ptr<T>()[k] = static_cast<T>(sums[k]);
      }
      // Every rank reduces, whether or not it needs dx: the ranks' graphs are the same.
      dist::all_reduce(sums);
      if (!need[0]) return;
      dx = empty(xc.shape(), xc.dtype());
      T* d = dx.data_ptr<T>();
      const T* w = wc.defined() ? wc.data_ptr<T>() : nullptr;
      l.each(x, [&](int64_t ch, T v, int64_t at) {
        const size_t k = static_cast<size_t>(ch);
        const double xhat = (static_cast<double>(v) - st->mean[k]) * st->invstd[k];
        const double scale = (w ? static_cast<double>(w[ch]) : 1.0) * st->invstd[k];
        d[at] = static_cast<T>(scale * (static_cast<double>(dy[at]) - sums[k] / st->count - xhat * sums[C + k] / st->count));
      });
    });
    return std::vector<Tensor>{dx, dw, db};
  });
}

}  // namespace eta::nn
