// Gradient measurements and clipping with PyTorch's names (torch.nn.utils.clip_grad_norm_,
// clip_grad_value_): the global L2 norm over every defined gradient, accumulated in double.
#pragma once
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::train {

// sqrt(sum of squared gradient elements) over `params` (parameters without a gradient count 0).
double grad_norm(const std::vector<Tensor>& params);
// Scales every gradient by max_norm / (norm + 1e-6) when the global norm exceeds max_norm;
// returns the norm before clipping.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm);
// Clamps every gradient element to [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);
// sqrt(sum of squares) of a tensor's elements, in double.
double l2_norm(const Tensor& t);

}  // namespace eta::train
