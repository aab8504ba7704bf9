// parallel_for: splits [begin, end) into one contiguous chunk per thread, but only when every
// thread gets at least `grain` items; small loops stay on the calling thread, where a thread
// start-up would cost more than it saves. Chunks are static, so results never depend on timing.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace eta::kernels {

// Items per thread below which a cheap elementwise loop is not worth splitting (measured in
// bench/elementwise_bench.cpp: one thread wins below ~32k floats on this class of machine).
inline constexpr int64_t kElementwiseGrain = 32768;

// Threads a parallel loop started here may use: 1 inside another parallel region.
inline int max_threads() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }

template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& body) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t available = max_threads();
  const int64_t threads = std::min<int64_t>(available, n / grain);
  if (threads <= 1) {
    body(begin, end);
    return;
  }
#pragma omp parallel num_threads(static_cast<int>(threads))
  {
    const int64_t t = omp_get_thread_num();
    const int64_t nt = omp_get_num_threads();
    const int64_t chunk = (n + nt - 1) / nt;
    const int64_t b = begin + t * chunk;
    const int64_t e = std::min(end, b + chunk);
    if (b < e) body(b, e);
  }
}

}  // namespace eta::kernels
