// Runs a generic lambda with a value of the C++ type matching a runtime dtype:
//   dispatch_floating(t.dtype(), "exp", [&](auto tag) { using T = decltype(tag); ... });
#pragma once
#include <cstdint>

#include "eta/error.h"
#include "eta/tensor/dtype.h"

namespace eta {

template <class F>
decltype(auto) dispatch_floating(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    default: break;
  }
  detail::throw_error(op, ": expected a float32 or float64 tensor, got ", dtype_name(dtype));
}

template <class F>
decltype(auto) dispatch_all(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int64: break;
  }
  return f(int64_t{});
}

}  // namespace eta
