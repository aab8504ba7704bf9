// Shared by the optimizers' .cpp files: dtype dispatch and the parallel element loop that every
// per-parameter update runs in, so that an optimizer writes only its formula. Internal (not installed).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

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

// The factor the gradient is multiplied by: -1 to maximize (an exact negation), else 1.
inline double sign(bool maximize) { return maximize ? -1 : 1; }

// The direction an update starts from: the gradient (times sign = -1 to maximize, which is
// exact) plus the coupled weight decay wd * p when HasWd, as every PyTorch optimizer writes it.
template <bool HasWd, class T>
inline T direction(T sign, T g, T wd, T p) {
  T d = sign * g;
  if (HasWd) d = d + wd * p;
  return d;
}

// Exponential moving averages in PyTorch's order of operations: avg·β + (1−β)·x, and the
// squared form avg·β + (1−β)·x·x (which rounds differently from passing x*x).
template <class T>
inline T ema(T avg, T beta, T one_minus_beta, T x) {
  return avg * beta + one_minus_beta * x;
}
template <class T>
inline T ema_sq(T avg, T beta, T one_minus_beta, T x) {
  return avg * beta + one_minus_beta * x * x;
}

// Calls f with one std::true_type / std::false_type per flag, so that an update loop written as
// `if (kFlag) ...` is compiled once per combination with its branches folded away: loops with
// runtime branches on options stayed scalar (Adam ran at ~4 ns per element, 8x its vector speed).
template <class F>
void with_flags(const F& f) {
  f();
}
template <class F, class... Rest>
void with_flags(const F& f, bool flag, Rest... rest) {
  if (flag)
    with_flags([&](auto... c) { f(std::true_type{}, c...); }, rest...);
  else
    with_flags([&](auto... c) { f(std::false_type{}, c...); }, rest...);
}

// One parameter's update, all but its formula: for the parameter's dtype T, runs
//   Kernel::run<T, flags...>(begin, end, p, g, s..., constants(T{}))
// over static chunks of the elements, with the parameter, its gradient and each `state` tensor as
// T pointers (nullptr for an undefined one: a buffer whose option is off) and each bool flag as a
// compile-time one. `constants(T{})` rounds the formula's constants to T once, before the loop.
// Kernel::run takes restrict pointers and constants by value, so that its loop vectorises.
template <class Kernel, size_t N, class MakeConstants, class... Flags>
void update_elements(const char* op, Tensor& param, const Tensor& grad, const Tensor (&state)[N],
                     const MakeConstants& constants, Flags... flags) {
  dispatch(param, op, [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    std::array<T*, N> s{};
    for (size_t k = 0; k < N; ++k) s[k] = state[k].defined() ? state[k].template data_ptr<T>() : nullptr;
    const auto c = constants(tag);
    with_flags(
        [&](auto... on) {
          for_elements(param.numel(), [&](int64_t begin, int64_t end) {
            std::apply(
                [&](auto*... sk) { Kernel::template run<T, decltype(on)::value...>(begin, end, p, g, sk..., c); }, s);
          });
        },
        flags...);
  });
}

}  // namespace eta::optim::detail
