// Row-wise softmax / log_softmax over contiguous rows. Subtracting the row max first keeps exp()
// in range: logits of 1e4 (or 1e30) give the same result as logits near 0.
// Legend: `rows` rows of length n; in and out are (rows, n).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/parallel.h"

namespace eta::kernels {

template <class T>
void softmax_rows(const T* in, int64_t rows, int64_t n, T* out, bool log_space) {
  parallel_for(0, rows, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = in + r * n;
      T* y = out + r * n;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < n; ++i) mx = std::isnan(x[i]) || x[i] > mx ? x[i] : mx;
      // A row of all -inf has no finite max; shifting by 0 then yields NaN, as PyTorch does.
      const T shift = std::isfinite(mx) ? mx : T(0);
      double total = 0;
      for (int64_t i = 0; i < n; ++i) total += std::exp(static_cast<double>(x[i] - shift));
      if (log_space) {
        const T log_total = static_cast<T>(std::log(total));
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] - shift - log_total;
      } else {
        const double inv = 1.0 / total;
        for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(std::exp(static_cast<double>(x[i] - shift)) * inv);
      }
    }
  });
}

}  // namespace eta::kernels
