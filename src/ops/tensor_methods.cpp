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

}  // namespace eta
