// The checks anomaly mode runs from record() (node.cpp) and the engine (engine.cpp); private to autograd/.
#pragma once
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::autograd {

// Throws when `result` holds NaN/Inf while every input is finite.
void check_forward(const char* op, const Tensor& result, const std::vector<Tensor>& inputs);
// Throws when a gradient computed by `op`'s backward holds NaN/Inf.
void check_backward(const std::string& op, const Shape& output_shape, const std::vector<Tensor>& grads);

}  // namespace eta::autograd
