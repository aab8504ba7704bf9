// Tensor::backward, declared with the Tensor (eta/tensor/tensor.h) and defined here, beside the
// engine it starts, so that tensor/ does not depend on autograd/.
#include "eta/autograd/node.h"
#include "eta/tensor/tensor.h"

namespace eta {

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  autograd::run_backward(*this, gradient, retain_graph.value_or(create_graph), create_graph);
}

}  // namespace eta
