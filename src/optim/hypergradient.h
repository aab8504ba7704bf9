// Hypergradient descent on the learning rate (Baydin et al. 2018), shared by SGDHD and AdamHD:
// the hypergradient is the dot product of this step's gradient direction with the previous step's
// update direction, over the whole group. Internal (not installed).
#pragma once
#include <algorithm>
#include <cstdint>

#include "eta/optim/optimizer.h"

namespace eta::optim::detail {

// Σ (sign·g + wd·p) · u over n elements, in double and in index order (repeatable bit for bit);
// `u(i)` gives the previous update direction of element i.
template <class T, class U>
double hyper_dot(const T* g, const T* p, int64_t n, double sign, double wd, const U& u) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = sign * static_cast<double>(g[i]) + wd * static_cast<double>(p[i]);
    sum += d * u(i);
  }
  return sum;
}

// η ← max(0, η + β·h): descent on the loss's derivative by η, −h; a rate never turns negative.
inline void learn_rate(ParamGroup& group, double hypergradient) {
  group.lr() = std::max(0.0, group.lr() + group.option("hypergrad_lr") * hypergradient);
}

}  // namespace eta::optim::detail
