// Fused batch normalisation over x laid out as (N, C, S) (S = spatial size, 1 for (N, C) input).
// Per channel, two passes gather the statistics and one normalises; backward is two passes. Work
// is split by channel, and each channel is summed in a fixed order (in double, in LaneSum's lanes),
// so results do not depend on the thread count.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/parallel.h"
#include "kernels/scratch.h"

namespace eta::kernels {

// A sum in a fixed order that vectorises: element j of each row goes to lane j % kLanes, the lanes
// are combined in order at the end. One serial chain of dependent double adds ran at one element
// per add latency (~4 cycles) and was most of batch norm's time.
struct LaneSum {
  static constexpr int64_t kLanes = 8;
  double lane[kLanes] = {};

  // Adds value(j) for j in [0, s).
  template <class F>
  void add_row(int64_t s, const F& value) {
    int64_t j = 0;
    for (; j + kLanes <= s; j += kLanes)
      for (int64_t k = 0; k < kLanes; ++k) lane[k] += value(j + k);
    for (int64_t k = 0; j < s; ++j, ++k) lane[k] += value(j);
  }
  double total() const {
    double t = 0;
    for (double v : lane) t += v;
    return t;
  }
};

// Mean and biased variance of channel ch of x.
template <class T>
void channel_stats(const T* x, int64_t n, int64_t c, int64_t s, int64_t ch, double* mean, double* var) {
  LaneSum sum;
  for (int64_t i = 0; i < n; ++i) {
    const T* p = x + (i * c + ch) * s;
    sum.add_row(s, [p](int64_t j) { return static_cast<double>(p[j]); });
  }
  const double m = sum.total() / static_cast<double>(n * s);
  LaneSum sq;
  for (int64_t i = 0; i < n; ++i) {
    const T* p = x + (i * c + ch) * s;
    sq.add_row(s, [p, m](int64_t j) {
      const double d = p[j] - m;
      return d * d;
    });
  }
  mean[ch] = m;
  var[ch] = sq.total() / static_cast<double>(n * s);
}

// Row r of y (image r / c, channel r % c) = (x - mean) * invstd * w + b, w = 1 and b = 0 where absent;
// with Relu, max(0, that) as relu writes it (NaN passes): batch_norm_relu's one pass instead of two.
template <bool Relu, class T>
void apply_row(const T* x, int64_t c, int64_t s, int64_t r, const double* mean, const double* invstd, const T* w,
               const T* b, T* y) {
  const int64_t ch = r % c;
  const T scale = static_cast<T>(invstd[ch] * (w ? w[ch] : T(1)));
  const T shift = static_cast<T>((b ? b[ch] : T(0)) - mean[ch] * invstd[ch] * (w ? w[ch] : T(1)));
  const T* p = x + r * s;
  T* q = y + r * s;
  for (int64_t j = 0; j < s; ++j) {
    const T v = p[j] * scale + shift;
    q[j] = Relu && v < T(0) ? T(0) : v;
  }
}

// Channels per thread: at least an elementwise grain of values, so small inputs stay on one thread.
inline int64_t channel_grain(int64_t n, int64_t s) { return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * s, 1)); }

// Training-mode forward in one sweep per channel: its statistics, then y for it while the
// channel's values are still in L2 (they are read three times; apart, the last read came from
// memory: a 64 x 32 x 28 x 28 batch is 6.4 MB). Same results as stats then apply.
template <bool Relu, class T>
void batch_norm_train_forward(const T* x, int64_t n, int64_t c, int64_t s, double eps, const T* w, const T* b,
                              double* mean, double* var, double* invstd, T* y) {
  parallel_for(0, c, channel_grain(n, s), [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ++ch) {
      channel_stats(x, n, c, s, ch, mean, var);
      invstd[ch] = 1.0 / std::sqrt(var[ch] + eps);
      for (int64_t i = 0; i < n; ++i) apply_row<Relu>(x, c, s, i * c + ch, mean, invstd, w, b, y);
    }
  });
}

// y = (x - mean) * invstd * w + b with given statistics (eval mode).
template <bool Relu, class T>
void batch_norm_apply(const T* x, int64_t n, int64_t c, int64_t s, const double* mean, const double* invstd, const T* w,
                      const T* b, T* y) {
  parallel_for(0, n * c, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(s, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) apply_row<Relu>(x, c, s, r, mean, invstd, w, b, y);
  });
}

// row = g's row, zero where relu_out is not positive: relu's backward, into a buffer of one plane (s values).
// (Read through the mask inside the sums, GCC vectorised nothing and batch norm ran 10x slower.)
template <class T>
const T* relu_masked_row(const T* g, const T* relu_out, int64_t s, T* row) {
  for (int64_t j = 0; j < s; ++j) row[j] = relu_out[j] > T(0) ? g[j] : T(0);
  return row;
}

// batch_norm_backward with g read through a ReLU mask (Masked) or as it is.
template <bool Masked, class T>
void batch_norm_backward_masked(const T* x, const T* g, const T* relu_out, int64_t n, int64_t c, int64_t s,
                                const double* mean, const double* invstd, const T* w, bool batch_stats, T* dx, T* dw,
                                T* db) {
  const double m_count = static_cast<double>(n * s);
  parallel_for(0, c, channel_grain(n, s), [&](int64_t c0, int64_t c1) {
    T* masked = Masked ? scratch<T>(0, static_cast<size_t>(s)) : nullptr;
    const auto grad_row = [&](int64_t row) { return Masked ? relu_masked_row(g + row, relu_out + row, s, masked) : g + row; };
    for (int64_t ch = c0; ch < c1; ++ch) {
      LaneSum lanes_g, lanes_gx;
      const double mu = mean[ch], is = invstd[ch];
      for (int64_t i = 0; i < n; ++i) {
        const int64_t row = (i * c + ch) * s;
        const T *gp = grad_row(row), *xp = x + row;
        lanes_g.add_row(s, [gp](int64_t j) { return static_cast<double>(gp[j]); });
        lanes_gx.add_row(s, [gp, xp, mu, is](int64_t j) { return gp[j] * ((xp[j] - mu) * is); });
      }
      const double sum_g = lanes_g.total(), sum_gx = lanes_gx.total();
      if (dw) dw[ch] = static_cast<T>(sum_gx);
      if (db) db[ch] = static_cast<T>(sum_g);
      if (!dx) continue;
      const double k = is * (w ? w[ch] : 1.0);
      const double mg = batch_stats ? sum_g / m_count : 0, mgx = batch_stats ? sum_gx / m_count : 0;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t row = (i * c + ch) * s;
        const T *gp = grad_row(row), *xp = x + row;
        T* dp = dx + row;
        for (int64_t j = 0; j < s; ++j) {
          const double xh = (xp[j] - mu) * is;
          dp[j] = static_cast<T>(k * (gp[j] - mg - xh * mgx));
        }
      }
    }
  });
}

// Gradients. sum_g[c] = sum of g, sum_gx[c] = sum of g * x_hat; with batch statistics (training)
// dx = w * invstd * (g - sum_g / M - x_hat * sum_gx / M), M = N*S; with fixed statistics
// dx = w * invstd * g. dw = sum_gx, db = sum_g. With relu_out (batch_norm_relu's output), g is
// first kept where relu_out > 0 and zeroed elsewhere, as relu's backward would have written it.
template <class T>
void batch_norm_backward(const T* x, const T* g, const T* relu_out, int64_t n, int64_t c, int64_t s, const double* mean,
                         const double* invstd, const T* w, bool batch_stats, T* dx, T* dw, T* db) {
  if (relu_out)
    batch_norm_backward_masked<true>(x, g, relu_out, n, c, s, mean, invstd, w, batch_stats, dx, dw, db);
  else
    batch_norm_backward_masked<false>(x, g, g, n, c, s, mean, invstd, w, batch_stats, dx, dw, db);
}

}  // namespace eta::kernels
