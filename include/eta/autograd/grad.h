// autograd::grad: the gradients of `outputs` with respect to `inputs`, returned instead of summed
// into any .grad (libtorch's torch::autograd::grad). Inputs may be leaves or intermediate tensors.
//   auto [dx] = autograd::grad({loss}, {x});
// grad_outputs seed each output (default: ones for one-element outputs). The graph is freed unless
// retain_graph (which defaults to create_graph). allow_unused: an input the outputs do not depend
// on gets an undefined tensor instead of an error.
// create_graph = true records the backward pass, so the returned gradients are differentiable in
// turn (higher-order gradients: Hessian-vector products, curvature). Only the nodes from which an
// input can be reached run: nothing upstream of the inputs is computed or freed.
#pragma once
#include <optional>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::autograd {

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

}  // namespace eta::autograd
