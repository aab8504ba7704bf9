// The engine's general form, behind Tensor::backward and autograd::grad. Internal (not installed).
#pragma once
#include <unordered_map>
#include <vector>

#include "eta/autograd/node.h"

namespace eta::autograd {

// grad(): the gradients of the requested tensors are written to grads[index] instead of any
// leaf's .grad (no .grad changes); leaves are requested by their impl, non-leaf tensors by the
// node that produced them.
struct Capture {
  std::unordered_map<TensorImpl*, size_t> leaves;
  std::unordered_map<Node*, size_t> nodes;
  std::vector<Tensor>* grads = nullptr;
};

// True when nothing but this handle holds `t`'s memory (no other handle, no view; contiguous from
// offset 0): writing into it in place cannot change a tensor someone else sees.
bool exclusively_owned(const Tensor& t);

// Reverse-mode autodiff from `roots` seeded with `seeds` (checked by the callers). Without a
// capture, leaves' gradients are summed into their .grad. create_graph records the pass itself.
void run_graph(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds, bool retain_graph,
               bool create_graph, Capture* capture);

}  // namespace eta::autograd
