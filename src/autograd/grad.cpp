// autograd::grad over the engine's capture mode (engine.h): checks, then one pass that writes the
// requested gradients and leaves every .grad untouched.
#include "eta/autograd/grad.h"

#include "autograd/engine.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta::autograd {

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, std::optional<bool> retain_graph, bool create_graph,
                         bool allow_unused) {
  ETA_CHECK(!outputs.empty(), "autograd::grad: no outputs");
  ETA_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), "autograd::grad: ", grad_outputs.size(),
            " grad_outputs for ", outputs.size(), " outputs");
  std::vector<Tensor> seeds;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    ETA_CHECK(out.defined() && out.requires_grad(), "autograd::grad: output ", i,
              " does not require grad (no input of it requires grad)");
    Tensor seed = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!seed.defined()) {
      ETA_CHECK(out.numel() == 1, "autograd::grad: output ", i, " has shape ", shape_str(out.shape()),
                "; a gradient can be implied only for one-element outputs, pass grad_outputs");
      seed = ones_like(out);
    }
    ETA_CHECK(seed.shape() == out.shape() && seed.dtype() == out.dtype(), "autograd::grad: grad_outputs[", i,
              "] is ", shape_str(seed.shape()), " ", dtype_name(seed.dtype()), " for an output ",
              shape_str(out.shape()), " ", dtype_name(out.dtype()));
    seeds.push_back(seed);
  }
  std::vector<Tensor> result(inputs.size());
  Capture capture;
  capture.grads = &result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& in = inputs[i];
    ETA_CHECK(in.defined() && in.requires_grad(), "autograd::grad: input ", i, " ",
              in.defined() ? shape_str(in.shape()) : std::string("(undefined)"), " does not require grad");
    const bool fresh = in.is_leaf() ? capture.leaves.emplace(in.impl(), i).second
                                    : capture.nodes.emplace(in.grad_fn().get(), i).second;
    ETA_CHECK(fresh, "autograd::grad: input ", i, " is given twice");
  }
  run_graph(outputs, seeds, retain_graph.value_or(create_graph), create_graph, &capture);
  for (size_t i = 0; i < inputs.size(); ++i)
    ETA_CHECK(allow_unused || result[i].defined(), "autograd::grad: input ", i, " ", shape_str(inputs[i].shape()),
              " was not used to compute the outputs (pass allow_unused=true to get an undefined gradient)");
  return result;
}

}  // namespace eta::autograd
