// A node of the autograd graph: one op application. It holds edges to the nodes (or leaves) that
// produced its inputs and the backward closure written beside the op's forward. Saved tensors live
// inside the closure and are released after backward() unless the graph is retained.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta {

// Where an input's gradient goes: into another node, into a leaf's .grad, or nowhere.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  bool active() const { return node != nullptr || leaf != nullptr; }
};

// needs[i] tells a backward closure whether input i wants a gradient, so it can skip work.
using NeedsGrad = std::vector<bool>;
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output, const NeedsGrad& needs)>;

class Node {
 public:
  Node(std::string name, std::vector<Edge> next, BackwardFn backward);
  ~Node();  // tears down long chains iteratively (no recursion, no stack overflow)
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<Edge>& next() const { return next_; }
  bool released() const { return !backward_; }
  std::vector<Tensor> apply(const Tensor& grad_output);
  void release();  // frees saved tensors

  // Shape and dtype of the output, to check and shape incoming gradients.
  Shape output_shape;
  DType output_dtype = kFloat32;

 private:
  std::string name_;
  std::vector<Edge> next_;
  BackwardFn backward_;
};

namespace autograd {

// Attaches history to `result` if grad mode is on and any input requires grad. This is the whole
// API for writing a differentiable op (also for users): compute the forward, then call
//   return autograd::record("my_op", out, {a, b}, [=](const Tensor& g, const NeedsGrad& need) {...});
// The closure returns one gradient per input (an undefined Tensor where none is needed). It may
// capture the op's inputs as they are (with their history, which higher-order gradients need), but
// never the result with its history (capture result.detach()): the node would then hold itself.
Tensor record(const char* name, Tensor result, const std::vector<Tensor>& inputs, BackwardFn backward);

// Runs reverse-mode autodiff from `root` seeded with `grad` (see Tensor::backward).
void run_backward(const Tensor& root, const Tensor& grad, bool retain_graph, bool create_graph = false);

// True while a backward closure runs for create_graph (the engine turns grad mode on only then).
// A closure must then compute its gradients with recorded ops from saved tensors that keep their
// history, so that the gradients it returns are differentiable in turn; otherwise it may use its
// fused kernels (the fast path, which create_graph = false always takes).
bool differentiable_backward();

}  // namespace autograd
}  // namespace eta
