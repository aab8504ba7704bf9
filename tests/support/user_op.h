// A user-written op for the gradcheck API tests: x^3 computed from detached inputs, recorded with
// a backward g * derivative(x) that the test chooses (wrong, or right but not differentiable), so
// that gradcheck and gradgradcheck can be shown to catch it.
#pragma once
#include <functional>
#include <vector>

#include "eta/eta.h"

namespace eta::test {

inline std::function<Tensor(const std::vector<Tensor>&)> cube_with_derivative(
    const char* name, std::function<Tensor(const Tensor&)> derivative) {  // name: a literal, as record wants
  return [name, derivative](const std::vector<Tensor>& x) {
    const Tensor in = x[0];
    const Tensor saved = in.detach();
    Tensor out = mul(mul(saved, saved), saved);
    return autograd::record(name, out, {in}, [saved, derivative](const Tensor& g, const NeedsGrad&) {
      return std::vector<Tensor>{mul(g, derivative(saved))};
    });
  };
}

}  // namespace eta::test
