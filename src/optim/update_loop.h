// Shared by the optimizers' .cpp files: dtype dispatch and the parallel element loop that every
// per-parameter update runs in. Internal (not installed).
#pragma once
#include <cstdint>

#include "eta/error.h"
#include "eta/tensor/tensor.h"
#include "kernels/parallel.h"

namespace eta::optim::detail {

// An update does ~5-15 flops per element over 3-5 streams, so it pays to split at a smaller size
// than a plain copy (bench/optim_bench.cpp: 2 threads win from roughly 16k elements per thread).
inline constexpr int64_t kUpdateGrain = 16384;

[[noreturn]] inline void throw_dtype(const char* op) {
  ::eta::detail::throw_error(op, ": parameters must be float32 or float64");
}

// Calls f(float{}) or f(double{}) for the parameter's dtype.
template <class F>
void dispatch(const Tensor& param, const char* op, const F& f) {
  if (param.dtype() == kFloat32) f(float{});
  else if (param.dtype() == kFloat64) f(double{});
  else throw_dtype(op);
}

// Runs body(begin, end) over [0, n) in static chunks: results never depend on the thread count.
template <class F>
void for_elements(int64_t n, const F& body) {
  kernels::parallel_for(0, n, kUpdateGrain, body);
}

}  // namespace eta::optim::detail
