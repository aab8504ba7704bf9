// The backward engine: autograd::run_backward. It is iterative: it counts each node's consumers
// with an explicit stack, then runs nodes whose consumers have all delivered their gradient.
// Nothing recurses, so a 100,000-op chain is fine. Nodes and record() are node.cpp.
#include "autograd/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/anomaly_checks.h"
#include "eta/autograd/anomaly.h"
#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta {
namespace autograd {

bool exclusively_owned(const Tensor& t) {
  return t.impl_ptr().use_count() == 1 && t.impl()->storage.use_count() == 1 && t.is_contiguous() && t.offset() == 0;
}

namespace {

// a + b (same shape and dtype) as a recorded op, for create_graph. The engine sits below ops/, so
// it has its own: the sum's gradient is the incoming gradient, to each side.
Tensor recorded_sum(const Tensor& a, const Tensor& b) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = a.clone();
    out.add_(b);
  }
  return record("gradient_sum", out, {a, b}, [](const Tensor& g, const NeedsGrad&) { return std::vector<Tensor>{g, g}; });
}

// slot += g. Without create_graph nothing is recorded: in place when the slot's memory is the
// engine's alone, otherwise into a fresh copy; the same sums as the add op, with no op. With
// create_graph the sum is recorded (recorded_sum), so that it is differentiated too.
void accumulate(Tensor& slot, const Tensor& g) {
  if (!slot.defined()) {
    slot = g;
    return;
  }
  if (grad_enabled()) {
    slot = recorded_sum(slot, g);
    return;
  }
  if (!exclusively_owned(slot)) slot = slot.clone();
  slot.add_(g);
}

void accumulate_into_leaf(TensorImpl& leaf, const Tensor& g, const std::string& from) {
  ETA_CHECK(g.shape() == leaf.shape && g.dtype() == leaf.dtype, "backward: op '", from, "' produced a gradient of shape ",
            shape_str(g.shape()), " ", dtype_name(g.dtype()), " for a leaf of shape ", shape_str(leaf.shape), " ",
            dtype_name(leaf.dtype));
  if (grad_enabled()) {
    // create_graph: .grad keeps the gradient's history, and a sum into it is recorded too.
    leaf.grad = (leaf.grad ? recorded_sum(Tensor(leaf.grad), g) : g).impl_ptr();
  } else if (!leaf.grad) {
    // Own the gradient's memory: a later accumulation adds into it in place, which must not
    // write into a tensor someone else (a caller's seed, another leaf) still holds. A fresh,
    // contiguous gradient that nothing else references is taken as is (no copy).
    const bool sole_owner = exclusively_owned(g);
    Tensor owned = sole_owner ? g : g.contiguous();
    if (!sole_owner && owned.shares_storage(g)) owned = owned.clone();
    leaf.grad = owned.impl_ptr();
  } else {
    Tensor(leaf.grad).add_(g);
  }
}

// The nodes from which a requested tensor (capture) can be reached: a topological order of the
// graph from its starting nodes (consumers before producers), then a sweep from the producers up.
std::unordered_set<Node*> nodes_to_run(const std::vector<std::shared_ptr<Node>>& starts,
                                       std::unordered_map<Node*, int64_t> pending, const Capture& capture) {
  std::vector<Node*> order;
  for (const auto& n : starts) order.push_back(n.get());
  for (size_t i = 0; i < order.size(); ++i)
    for (const Edge& e : order[i]->next())
      if (e.node && --pending[e.node.get()] == 0) order.push_back(e.node.get());
  std::unordered_set<Node*> runs;
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    for (const Edge& e : (*it)->next())
      if ((e.leaf && capture.leaves.count(e.leaf.get())) ||
          (e.node && (runs.count(e.node.get()) || capture.nodes.count(e.node.get())))) {
        runs.insert(*it);
        break;
      }
  return runs;
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& grad, bool retain_graph, bool create_graph) {
  ETA_CHECK(root.defined(), "backward: called on an undefined tensor");
  ETA_CHECK(root.requires_grad(), "backward: tensor of shape ", shape_str(root.shape()),
            " does not require grad and has no grad_fn (did you forget requires_grad_() on an input?)");
  Tensor seed = grad;
  if (!seed.defined()) {
    ETA_CHECK(root.numel() == 1, "backward: grad can be implicitly created only for a one-element output, but the "
              "output has shape ", shape_str(root.shape()), "; pass a gradient of that shape");
    seed = ones_like(root);
  } else {
    ETA_CHECK(seed.shape() == root.shape() && seed.dtype() == root.dtype(), "backward: gradient of shape ",
              shape_str(seed.shape()), " ", dtype_name(seed.dtype()), " does not match the output's shape ",
              shape_str(root.shape()), " ", dtype_name(root.dtype()));
  }
  run_graph({root}, {seed}, retain_graph, create_graph, nullptr);
}

void run_graph(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds, bool retain_graph,
               bool create_graph, Capture* capture) {
  // Grad mode is on only for create_graph: it is what tells the ops' closures and the sums below to
  // record (differentiable_backward()).
  GradModeGuard grad_mode(create_graph);
  // Where a gradient for `leaf` goes: summed into .grad (backward) or captured (grad()), or dropped.
  const auto wanted_leaf = [&](TensorImpl* leaf) { return !capture || capture->leaves.count(leaf) != 0; };
  std::unordered_map<TensorImpl*, Tensor> leaf_sums;
  std::vector<std::pair<TensorImpl*, std::string>> leaf_order;
  const auto add_to_leaf = [&](TensorImpl* leaf, const Tensor& g, const std::string& from) {
    if (!wanted_leaf(leaf)) return;
    Tensor& sum_slot = leaf_sums[leaf];
    if (!sum_slot.defined()) leaf_order.emplace_back(leaf, from);
    accumulate(sum_slot, g);
  };

  // 1. How many consumers within this graph does each node have?
  std::unordered_map<Node*, int64_t> pending;
  std::unordered_map<Node*, Tensor> incoming;
  std::vector<std::shared_ptr<Node>> ready;
  {
    std::vector<Node*> stack;
    std::unordered_set<Node*> seen;
    for (size_t r = 0; r < roots.size(); ++r) {
      if (roots[r].is_leaf()) {
        add_to_leaf(roots[r].impl(), seeds[r], "backward");
        continue;
      }
      Node* n = roots[r].grad_fn().get();
      accumulate(incoming[n], seeds[r]);
      if (seen.insert(n).second) stack.push_back(n);
    }
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (const Edge& e : n->next()) {
        if (!e.node) continue;
        ++pending[e.node.get()];
        if (seen.insert(e.node.get()).second) stack.push_back(e.node.get());
      }
    }
    // Roots that no other root's graph consumes start; the others wait for their consumers.
    for (const Tensor& root : roots)
      if (!root.is_leaf() && pending[root.grad_fn().get()] == 0 &&
          std::find(ready.begin(), ready.end(), root.grad_fn()) == ready.end())
        ready.push_back(root.grad_fn());
  }
  // grad() runs only the nodes on a path to a requested tensor: nothing upstream of them is
  // computed (or released), which also lets an op's backward differentiate a recomputation of
  // itself with grad() (ops/chain.h) without touching the rest of the graph.
  const std::unordered_set<Node*> runs = capture ? nodes_to_run(ready, pending, *capture) : std::unordered_set<Node*>{};

  // 2. Run each node once all of its consumers have delivered their gradients. A leaf's
  // contributions are summed within the pass and added to .grad once at the end, so that two
  // identical backward() calls accumulate exactly twice the gradient.
  while (!ready.empty()) {
    std::shared_ptr<Node> node = std::move(ready.back());
    ready.pop_back();
    Tensor g_out = std::move(incoming[node.get()]);
    incoming.erase(node.get());
    if (capture) {
      const auto it = capture->nodes.find(node.get());
      if (it != capture->nodes.end() && g_out.defined()) (*capture->grads)[it->second] = g_out;
    }
    if (capture && !runs.count(node.get())) continue;  // leads to no requested tensor
    std::vector<Tensor> grads;
    if (g_out.defined()) {
      ETA_CHECK(!node->released(), "backward: trying to go through op '", node->name(),
                "' a second time, but its saved tensors were freed after the first backward(); pass "
                "retain_graph=true to the first backward() if you need to call it twice");
      grads = node->apply(g_out);
      ETA_CHECK(grads.size() == node->next().size(), "backward: op '", node->name(), "' returned ", grads.size(),
                " gradients for ", node->next().size(), " inputs");
      if (anomaly_enabled()) check_backward(node->name(), node->output_shape, grads);
      if (!retain_graph) node->release();
    }
    for (size_t i = 0; i < node->next().size(); ++i) {
      const Edge& e = node->next()[i];
      const bool has = i < grads.size() && grads[i].defined();
      if (e.leaf) {
        if (has) add_to_leaf(e.leaf.get(), grads[i], node->name());
      } else if (e.node) {
        Tensor& slot = incoming[e.node.get()];
        if (has) {
          ETA_CHECK(grads[i].shape() == e.node->output_shape, "backward: op '", node->name(),
                    "' produced a gradient of shape ", shape_str(grads[i].shape()), " for input ", i, " of shape ",
                    shape_str(e.node->output_shape));
          accumulate(slot, grads[i]);
        }
        if (--pending[e.node.get()] == 0) ready.push_back(e.node);
      }
    }
  }
  for (const auto& [leaf, from] : leaf_order) {
    Tensor g = std::move(leaf_sums[leaf]);  // the map lets go, so a sole owner can be taken as is
    if (capture) (*capture->grads)[capture->leaves.at(leaf)] = g;
    else accumulate_into_leaf(*leaf, g, from);
  }
}

}  // namespace autograd
}  // namespace eta
