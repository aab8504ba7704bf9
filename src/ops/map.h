// Helpers shared by the elementwise op files: run a scalar lambda over one, two or three tensors
// (broadcasting, any strides) into a new contiguous tensor. No autograd here: ops call these for
// their forward, and backward closures call them for fused gradient formulas.
#pragma once
#include "eta/error.h"
#include "eta/tensor/tensor.h"
#include "kernels/strided.h"
#include "tensor/dispatch.h"

namespace eta {

// t's strides when viewed as `target` (broadcast dims get stride 0); throws if not broadcastable.
Shape broadcast_strides_to(const Tensor& t, const Shape& target, const char* op);
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

inline void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  ETA_CHECK(a.dtype() == b.dtype(), op, ": dtype mismatch, ", dtype_name(a.dtype()), " ", shape_str(a.shape()),
            " and ", dtype_name(b.dtype()), " ", shape_str(b.shape()), " (convert one with .to())");
}

// f is a generic lambda (auto x) -> value of the same type.
template <class F>
Tensor map1(const Tensor& a, const char* op, const F& f) {
  Tensor out = empty(a.shape(), a.dtype());
  dispatch_floating(a.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::unary_kernel(a.shape(), a.data_ptr<T>(), a.strides(), out.data_ptr<T>(),
                          [&](T x) { return static_cast<T>(f(x)); });
  });
  return out;
}

// f is a generic lambda (auto x, auto y); the result has the broadcast shape.
template <class F>
Tensor map2(const Tensor& a, const Tensor& b, const char* op, const F& f) {
  check_same_dtype(a, b, op);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = empty(shape, a.dtype());
  const Shape sa = broadcast_strides_to(a, shape, op);
  const Shape sb = broadcast_strides_to(b, shape, op);
  dispatch_floating(a.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::binary_kernel(shape, a.data_ptr<T>(), sa, b.data_ptr<T>(), sb, out.data_ptr<T>(),
                           [&](T x, T y) { return static_cast<T>(f(x, y)); });
  });
  return out;
}

// f(x, y, z) over three tensors of one dtype, broadcast together.
template <class F>
Tensor map3(const Tensor& a, const Tensor& b, const Tensor& c, const char* op, const F& f) {
  check_same_dtype(a, b, op);
  check_same_dtype(a, c, op);
  const Shape shape = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), op), c.shape(), op);
  Tensor out = empty(shape, a.dtype());
  const Shape so = contiguous_strides(shape);
  const Shape sa = broadcast_strides_to(a, shape, op);
  const Shape sb = broadcast_strides_to(b, shape, op);
  const Shape sc = broadcast_strides_to(c, shape, op);
  dispatch_floating(a.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    const T* x = a.data_ptr<T>();
    const T* y = b.data_ptr<T>();
    const T* z = c.data_ptr<T>();
    kernels::for_each_row<4>(shape, {&so, &sa, &sb, &sc}, kernels::kElementwiseGrain,
                             [&](const std::array<int64_t, 4>& off, const std::array<int64_t, 4>& st, int64_t n) {
                               for (int64_t i = 0; i < n; ++i)
                                 o[off[0] + i * st[0]] = static_cast<T>(
                                     f(x[off[1] + i * st[1]], y[off[2] + i * st[2]], z[off[3] + i * st[3]]));
                             });
  });
  return out;
}

}  // namespace eta
