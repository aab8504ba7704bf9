// Loss functions (functional forms; nn/loss.h wraps them as modules). Each takes a reduction:
// mean (default), sum, or none (per-element losses).
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

enum class Reduction { None, Mean, Sum };

// logits (N, C), target int64 class indices (N). Computed as log_softmax + nll, so logits of
// magnitude 1e4 (or more) are exact. label_smoothing in [0, 1] mixes in the uniform target.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::Mean,
                     double label_smoothing = 0.0);
// log_probs (N, C), target (N): -log_probs[i, target[i]].
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
// Stable form softplus(x) - x*y; target holds probabilities and has the input's shape.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        Reduction reduction = Reduction::Mean);

}  // namespace eta
