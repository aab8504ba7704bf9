// Element types. float32 is the default; float64 exists for precise gradient checks; int64 holds
// class labels and indices and is never differentiable.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace eta {

enum class DType { Float32, Float64, Int64 };

inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
inline constexpr DType kInt64 = DType::Int64;

inline size_t dtype_size(DType d) { return d == DType::Float32 ? 4 : 8; }
inline bool is_floating(DType d) { return d != DType::Int64; }
const char* dtype_name(DType d);

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };

}  // namespace eta
