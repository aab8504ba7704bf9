// Elementwise arithmetic with NumPy broadcasting. Mixed dtypes are an error (no silent promotion);
// a scalar argument takes the tensor's dtype.
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor neg(const Tensor& a);
Tensor pow(const Tensor& a, double exponent);
Tensor pow(const Tensor& a, const Tensor& exponent);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor sin(const Tensor& a);
Tensor cos(const Tensor& a);
Tensor square(const Tensor& a);
Tensor rsqrt(const Tensor& a);       // 1 / sqrt(a)
Tensor reciprocal(const Tensor& a);  // 1 / a
Tensor sign(const Tensor& a);        // -1, 0 or 1 (NaN stays NaN); its gradient is zero
Tensor log1p(const Tensor& a);       // log(1 + a), accurate for small a
Tensor expm1(const Tensor& a);       // exp(a) - 1, accurate for small a
Tensor erf(const Tensor& a);
Tensor maximum(const Tensor& a, const Tensor& b);  // gradient split evenly on ties, as PyTorch
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& a, double min, double max);  // gradient 1 inside [min, max], else 0
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);  // condition != 0 picks a

// Comparison results are 0/1 in the input's dtype (used as masks); not differentiable.
Tensor gt(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);

// The shape two shapes broadcast to; `op` names the caller in the error.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Sums `t` down to `shape` (the reverse of broadcasting); used for gradients of broadcast inputs.
Tensor sum_to(const Tensor& t, const Shape& shape);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

}  // namespace eta
