// nn cases (conv, pooling, normalisation, embedding, losses): names match gen_nn.py.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "eta/eta.h"

namespace eta::testing {

struct NnCase {
  std::string name;
  std::string op;  // the public function; for recorded ops the recorded name (the coverage test reads it)
  std::function<Tensor(const std::vector<Tensor>&)> fn;
};
inline void PrintTo(const NnCase& c, std::ostream* os) { *os << c.name; }

inline const std::vector<NnCase>& nn_cases() {
  using V = const std::vector<Tensor>&;
  static const std::vector<NnCase> cases = {
      {"conv2d_basic", "conv2d", [](V x) { return conv2d(x[0], x[1], x[2]); }},
      {"conv2d_stride2_pad1_dil2", "conv2d", [](V x) { return conv2d(x[0], x[1], x[2], {2, 2}, {1, 1}, {2, 2}); }},
      {"conv2d_groups_nobias", "conv2d", [](V x) { return conv2d(x[0], x[1], Tensor(), {1, 1}, {0, 0}, {1, 1}, 2); }},
      {"conv2d_lenet_pad2", "conv2d", [](V x) { return conv2d(x[0], x[1], x[2], {1, 1}, {2, 2}); }},
      {"conv2d_rect", "conv2d", [](V x) { return conv2d(x[0], x[1], x[2], {1, 2}, {1, 0}); }},
      {"max_pool2d_2x2", "max_pool2d", [](V x) { return max_pool2d(x[0], {2, 2}); }},
      {"max_pool2d_overlap", "max_pool2d", [](V x) { return max_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}); }},
      {"avg_pool2d_overlap", "avg_pool2d", [](V x) { return avg_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}); }},
      {"avg_pool2d_exclude_pad", "avg_pool2d", [](V x) { return avg_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}, false); }},
      {"adaptive_avg_pool2d_1x1", "adaptive_avg_pool2d", [](V x) { return adaptive_avg_pool2d(x[0], {1, 1}); }},
      {"adaptive_avg_pool2d_2x3", "adaptive_avg_pool2d", [](V x) { return adaptive_avg_pool2d(x[0], {2, 3}); }},
      {"batch_norm_train_2d", "batch_norm", [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); }},
      {"batch_norm_train_1d", "batch_norm", [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); }},
      {"batch_norm_eval", "batch_norm", [](V x) { return batch_norm(x[0], x[1], x[2], x[3], x[4], false); }},
      {"batch_norm_running_stats", "batch_norm",
       [](V x) {
         Tensor rm = zeros({x[0].size(1)}, x[0].dtype()), rv = ones({x[0].size(1)}, x[0].dtype());
         batch_norm(x[0], rm, rv, Tensor(), Tensor(), true, 0.1);
         return cat({rm, rv});
       }},
      {"layer_norm", "layer_norm", [](V x) { return layer_norm(x[0], 2, x[1], x[2]); }},
      {"embedding", "embedding", [](V x) { return embedding(x[0], x[1]); }},
      {"cross_entropy", "cross_entropy", [](V x) { return cross_entropy(x[0], x[1]); }},
      {"cross_entropy_smoothing", "cross_entropy", [](V x) { return cross_entropy(x[0], x[1], Reduction::Mean, 0.1); }},
      {"cross_entropy_sum", "cross_entropy", [](V x) { return cross_entropy(x[0], x[1], Reduction::Sum); }},
      {"cross_entropy_none", "cross_entropy", [](V x) { return cross_entropy(x[0], x[1], Reduction::None); }},
      {"nll_loss", "nll_loss", [](V x) { return nll_loss(x[0], x[1]); }},
      {"mse_loss", "mse_loss", [](V x) { return mse_loss(x[0], x[1]); }},
      {"l1_loss", "l1_loss", [](V x) { return l1_loss(x[0], x[1]); }},
      {"bce_with_logits", "binary_cross_entropy_with_logits", [](V x) { return binary_cross_entropy_with_logits(x[0], x[1]); }},
      {"batch_norm_relu_train_2d", "batch_norm_relu",
       [](V x) { return batch_norm_relu(x[0], Tensor(), Tensor(), x[1], x[2], true); }},
      {"batch_norm_relu_eval", "batch_norm_relu", [](V x) { return batch_norm_relu(x[0], x[1], x[2], x[3], x[4], false); }},
  };
  return cases;
}

}  // namespace eta::testing
