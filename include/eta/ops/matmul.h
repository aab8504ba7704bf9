// Matrix products through BLAS (cblas_sgemm / cblas_dgemm). Transposed views are passed to BLAS
// as transposes, never copied.
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

// torch.matmul semantics: 1-D x 1-D is a dot product, 2-D x 2-D a matrix product, and inputs of
// rank > 2 are batches of matrices whose batch dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
// x (N, in) times weight (out, in) transposed, plus bias (out): one fused GEMM, as nn.Linear.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace eta
