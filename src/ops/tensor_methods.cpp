// Method forms (t.sum(), t.matmul(u), ...) forwarding to the free functions in eta/ops.
#include "eta/ops/activation.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/matmul.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/tensor.h"

namespace eta {

Tensor Tensor::sum() const { return eta::sum(*this); }
Tensor Tensor::sum(const Shape& dims, bool keepdim) const { return eta::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return eta::mean(*this); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const { return eta::mean(*this, dims, keepdim); }
Tensor Tensor::matmul(const Tensor& other) const { return eta::matmul(*this, other); }
Tensor Tensor::exp() const { return eta::exp(*this); }
Tensor Tensor::log() const { return eta::log(*this); }
Tensor Tensor::relu() const { return eta::relu(*this); }
Tensor Tensor::pow(double exponent) const { return eta::pow(*this, exponent); }
Tensor Tensor::max() const { return eta::max(*this); }
Tensor Tensor::max(const Shape& dims, bool keepdim) const { return eta::max(*this, dims, keepdim); }
Tensor Tensor::min() const { return eta::min(*this); }
Tensor Tensor::min(const Shape& dims, bool keepdim) const { return eta::min(*this, dims, keepdim); }
Tensor Tensor::abs() const { return eta::abs(*this); }
Tensor Tensor::neg() const { return eta::neg(*this); }
Tensor Tensor::sqrt() const { return eta::sqrt(*this); }
Tensor Tensor::square() const { return eta::square(*this); }
Tensor Tensor::rsqrt() const { return eta::rsqrt(*this); }
Tensor Tensor::reciprocal() const { return eta::reciprocal(*this); }
Tensor Tensor::sign() const { return eta::sign(*this); }
Tensor Tensor::sin() const { return eta::sin(*this); }
Tensor Tensor::cos() const { return eta::cos(*this); }
Tensor Tensor::tanh() const { return eta::tanh(*this); }
Tensor Tensor::sigmoid() const { return eta::sigmoid(*this); }
Tensor Tensor::log1p() const { return eta::log1p(*this); }
Tensor Tensor::expm1() const { return eta::expm1(*this); }
Tensor Tensor::erf() const { return eta::erf(*this); }

}  // namespace eta
