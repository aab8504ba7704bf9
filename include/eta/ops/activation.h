// Activation functions (elementwise, differentiable).
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

Tensor relu(const Tensor& x);
// The same values, written over x when it is a temporary (or moved from) whose memory nothing else
// holds and no graph is being recorded: `relu(add(a, b))` in inference keeps one buffer, not two.
Tensor relu(Tensor&& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor gelu(const Tensor& x);  // exact (erf) form, PyTorch's default
// softplus(x) = log(1 + exp(beta x)) / beta, linear above `threshold` as in PyTorch.
Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);

}  // namespace eta
