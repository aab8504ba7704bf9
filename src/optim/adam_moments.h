// The two moments Adam, NAdam and RAdam keep alike (AdamW and AdamHD through Adam): the running
// mean m and mean square v of the gradient. Internal (not installed).
#pragma once
#include "optim/update_loop.h"

namespace eta::optim::detail {

// β1, β2 and their complements, rounded once to the parameter's dtype T.
template <class T>
struct Betas {
  T b1, b2, one_b1, one_b2;

  static Betas from(double beta1, double beta2) { return {T(beta1), T(beta2), T(1 - beta1), T(1 - beta2)}; }

  struct Moments {
    T m, v;
  };
  // Advances one element's moments in place and returns them: m ← β1·m + (1 − β1)·g and
  // v ← β2·v + (1 − β2)·g·g, in PyTorch's order of operations.
  Moments advance(T& m, T& v, T g) const {
    m = ema(m, b1, one_b1, g);
    v = ema_sq(v, b2, one_b2, g);
    return {m, v};
  }
};

}  // namespace eta::optim::detail
