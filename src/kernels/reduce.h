// Reduction kernels over contiguous data, each output reduced in a fixed (sequential) order so
// results repeat bit for bit whatever the thread count. float sums accumulate in double.
// Legend: `rows` independent outputs, each reducing `n` consecutive inputs ("row" layout), or
// `n` rows of `cols` reduced down the columns ("column" layout, e.g. a bias gradient).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/parallel.h"

namespace eta::kernels {

enum class ReduceKind { Sum, Max, Min };

template <class T>
using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

template <class T>
inline Acc<T> reduce_init(ReduceKind kind) {
  if (kind == ReduceKind::Sum) return Acc<T>(0);
  return kind == ReduceKind::Max ? -std::numeric_limits<Acc<T>>::infinity()
                                 : std::numeric_limits<Acc<T>>::infinity();
}

template <class T>
inline Acc<T> reduce_step(ReduceKind kind, Acc<T> acc, T v) {
  switch (kind) {
    case ReduceKind::Sum: return acc + v;
    case ReduceKind::Max: return (std::isnan(v) || v > acc) ? Acc<T>(v) : acc;  // NaN propagates
    case ReduceKind::Min: return (std::isnan(v) || v < acc) ? Acc<T>(v) : acc;
  }
  return acc;
}

// out[r] = reduce(in[r*n .. r*n+n)).
template <class T>
void reduce_rows(const T* in, int64_t rows, int64_t n, T* out, ReduceKind kind) {
  parallel_for(0, rows, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* p = in + r * n;
      Acc<T> acc = reduce_init<T>(kind);
      if (kind == ReduceKind::Sum) {
        for (int64_t i = 0; i < n; ++i) acc += p[i];
      } else {
        for (int64_t i = 0; i < n; ++i) {
          acc = reduce_step<T>(kind, acc, p[i]);
          if (std::isnan(acc)) break;
        }
      }
      out[r] = static_cast<T>(acc);
    }
  });
}

// out[c] = reduce over r of in[r*cols + c]: reduces the leading dim without a transposed copy.
template <class T>
void reduce_columns(const T* in, int64_t n, int64_t cols, T* out, ReduceKind kind) {
  parallel_for(0, cols, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1)), [&](int64_t c0, int64_t c1) {
    std::vector<Acc<T>> acc(static_cast<size_t>(c1 - c0), reduce_init<T>(kind));
    for (int64_t r = 0; r < n; ++r) {
      const T* p = in + r * cols + c0;
      if (kind == ReduceKind::Sum) {
        for (int64_t c = 0; c < c1 - c0; ++c) acc[c] += p[c];
      } else {
        for (int64_t c = 0; c < c1 - c0; ++c) acc[c] = reduce_step<T>(kind, acc[c], p[c]);
      }
    }
    for (int64_t c = c0; c < c1; ++c) out[c] = static_cast<T>(acc[c - c0]);
  });
}

// out[r] = index of the first maximum of row r (NaN counts as the maximum, as PyTorch).
template <class T>
void argmax_rows(const T* in, int64_t rows, int64_t n, int64_t* out) {
  parallel_for(0, rows, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* p = in + r * n;
      int64_t best = 0;
      for (int64_t i = 1; i < n; ++i) {
        if (std::isnan(p[best])) break;
        if (std::isnan(p[i]) || p[i] > p[best]) best = i;
      }
      out[r] = best;
    }
  });
}

}  // namespace eta::kernels
