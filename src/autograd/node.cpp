// Graph bookkeeping: a Node's life (its iterative teardown) and autograd::record, which attaches a
// node to an op's result. The backward engine that walks these nodes is engine.cpp.
#include "eta/autograd/node.h"

#include "autograd/anomaly_checks.h"
#include "eta/autograd/anomaly.h"
#include "eta/tensor/grad_mode.h"

namespace eta {

namespace {
// Nodes whose last reference is being dropped. A destructor hands its edges here instead of
// releasing them, and only the outermost destructor drains the list: a long chain is then torn
// down in a loop instead of one nested destructor call per node.
thread_local std::vector<std::shared_ptr<Node>> t_pending_release;
// Closures too: one may hold an input tensor, and with it the node that made that input.
thread_local std::vector<BackwardFn> t_pending_closures;
thread_local bool t_draining = false;

// Drops everything parked in the lists, unless an outer call is already doing so; dropping one
// entry may run ~Node, which only appends to the lists.
void drain_pending() {
  if (t_draining) return;
  t_draining = true;
  while (!t_pending_release.empty() || !t_pending_closures.empty()) {
    if (!t_pending_closures.empty()) {
      BackwardFn last = std::move(t_pending_closures.back());
      t_pending_closures.pop_back();
      last = nullptr;
    } else {
      std::shared_ptr<Node> last = std::move(t_pending_release.back());
      t_pending_release.pop_back();
      last.reset();
    }
  }
  t_draining = false;
}

}  // namespace

Node::Node(std::string name, std::vector<Edge> next, BackwardFn backward)
    : name_(std::move(name)), next_(std::move(next)), backward_(std::move(backward)) {}

Node::~Node() {
  for (Edge& e : next_)
    if (e.node) t_pending_release.push_back(std::move(e.node));
  if (backward_) t_pending_closures.push_back(std::move(backward_));
  drain_pending();
}

void Node::release() {
  if (backward_) t_pending_closures.push_back(std::move(backward_));
  backward_ = nullptr;
  drain_pending();
}

std::vector<Tensor> Node::apply(const Tensor& grad_output) {
  NeedsGrad needs(next_.size());
  for (size_t i = 0; i < next_.size(); ++i) needs[i] = next_[i].active();
  return backward_(grad_output, needs);
}

namespace autograd {

bool differentiable_backward() { return grad_enabled(); }

Tensor record(const char* name, Tensor result, const std::vector<Tensor>& inputs, BackwardFn backward) {
  if (!grad_enabled()) return result;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return result;
  std::vector<Edge> edges(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.defined() || !t.requires_grad()) continue;
    if (t.grad_fn())
      edges[i].node = t.grad_fn();
    else
      edges[i].leaf = t.impl_ptr();
  }
  if (anomaly_enabled()) check_forward(name, result, inputs);
  auto node = std::make_shared<Node>(name, std::move(edges), std::move(backward));
  node->output_shape = result.shape();
  node->output_dtype = result.dtype();
  result.impl()->requires_grad = true;
  result.impl()->grad_fn = std::move(node);
  return result;
}

}  // namespace autograd
}  // namespace eta
