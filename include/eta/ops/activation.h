// Activation functions (elementwise, differentiable).
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor gelu(const Tensor& x);  // exact (erf) form, PyTorch's default
// softplus(x) = log(1 + exp(beta x)) / beta, linear above `threshold` as in PyTorch.
Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);

}  // namespace eta
