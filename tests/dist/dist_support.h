// What the data-parallel tests share: a data set every rank builds identically, a reference
// trained by one process on the whole global batch, and tolerant comparisons.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "eta/data/dataset.h"
#include "eta/dist/context.h"
#include "eta/eta.h"

namespace eta::dist_test {

// n examples of `shape` with labels in [0, classes); the same on every rank (seeded).
inline std::shared_ptr<data::TensorDataset> dataset(int64_t n, const Shape& shape, int64_t classes, DType dtype,
                                                    uint64_t seed = 123) {
  manual_seed(seed);
  Shape full{n};
  full.insert(full.end(), shape.begin(), shape.end());
  const Tensor x = randn(full, dtype);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) labels.push_back((i * 7 + 3) % classes);
  return std::make_shared<data::TensorDataset>(x, from_vector(labels, {n}));
}

// Largest |a - b| over all parameters, relative to the largest |b|.
inline double relative_difference(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::vector<double> x = a[i].to_vector(), y = b[i].to_vector();
    for (size_t k = 0; k < x.size(); ++k) {
      diff = std::max(diff, std::abs(x[k] - y[k]));
      scale = std::max(scale, std::abs(y[k]));
    }
  }
  return diff / std::max(scale, 1e-300);
}

inline bool bit_equal(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].to_vector() != b[i].to_vector()) return false;
  return true;
}

inline std::vector<Tensor> snapshot(const std::vector<Tensor>& params) {
  std::vector<Tensor> out;
  for (const Tensor& p : params) out.push_back(p.detach().clone());
  return out;
}

}  // namespace eta::dist_test
