// The state an optimizer's update starts from: the step count and the buffers shaped like the
// parameter, created as PyTorch creates them. Internal (not installed).
#pragma once
#include <initializer_list>

#include "eta/optim/optimizer.h"
#include "eta/tensor/factory.h"

namespace eta::optim::detail {

// On the first step (empty state): "step" = 0 and a zero tensor shaped like `param` under each of
// `buffers`. Then counts this step and returns its number, 1 on the first (PyTorch's state["step"]).
inline double count_step(ParamState& state, const Tensor& param, std::initializer_list<const char*> buffers) {
  if (state.empty()) {
    state.scalar("step") = 0;
    for (const char* name : buffers) state.tensors[name] = zeros_like(param);
  }
  return state.scalar("step") += 1;
}

// A buffer that only an option uses (AMSGrad's maximum, RMSprop's momentum): created as zeros when
// first used, so an option switched on later (CyclicLR cycling momentum) starts from zero;
// undefined while unused.
inline Tensor optional_buffer(ParamState& state, const Tensor& param, const char* name, bool used) {
  if (!used) return Tensor();
  auto it = state.tensors.find(name);
  if (it == state.tensors.end()) it = state.tensors.emplace(name, zeros_like(param)).first;
  return it->second;
}

}  // namespace eta::optim::detail
