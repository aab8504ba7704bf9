// Losses as compositions of stable primitives (log_softmax, gather, softplus): no loss needs a
// backward rule of its own, and each is gradchecked through its parts.
#include "eta/ops/loss.h"

#include "eta/ops/activation.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/indexing.h"
#include "eta/ops/reduction.h"
#include "eta/ops/softmax.h"
#include "ops/map.h"

namespace eta {

namespace {

Tensor reduce(const Tensor& per_element, Reduction r) {
  switch (r) {
    case Reduction::None: return per_element;
    case Reduction::Sum: return sum(per_element);
    case Reduction::Mean: break;
  }
  return mean(per_element);
}

void check_classification(const Tensor& scores, const Tensor& target, const char* op) {
  ETA_CHECK(scores.dim() == 2, op, ": expected input (N, C), got ", shape_str(scores.shape()));
  ETA_CHECK(target.dtype() == kInt64, op, ": target must hold int64 class indices, got ", dtype_name(target.dtype()));
  ETA_CHECK(target.dim() == 1 && target.size(0) == scores.size(0), op, ": target ", shape_str(target.shape()),
            " does not match input ", shape_str(scores.shape()), " (expected [", scores.size(0), "])");
  const int64_t classes = scores.size(1);
  for (int64_t t : target.to_int_vector())
    ETA_CHECK(t >= 0 && t < classes, op, ": target ", t, " is out of range for ", classes, " classes (input ",
              shape_str(scores.shape()), ")");
}

void check_same_shape(const Tensor& a, const Tensor& b, const char* op) {
  ETA_CHECK(a.shape() == b.shape(), op, ": input ", shape_str(a.shape()), " and target ", shape_str(b.shape()),
            " must have the same shape");
  check_same_dtype(a, b, op);
}

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction) {
  check_classification(log_probs, target, "nll_loss");
  return reduce(neg(gather(log_probs, 1, target.unsqueeze(1)).squeeze(1)), reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction, double label_smoothing) {
  check_classification(logits, target, "cross_entropy");
  ETA_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got ",
            label_smoothing);
  const Tensor logp = log_softmax(logits, 1);
  Tensor per_sample = neg(gather(logp, 1, target.unsqueeze(1)).squeeze(1));
  if (label_smoothing > 0) {
    // PyTorch: (1 - eps) * nll + eps * mean over classes of -log p.
    const Tensor uniform_part = neg(mean(logp, {1}));
    per_sample = add(mul(per_sample, 1 - label_smoothing), mul(uniform_part, label_smoothing));
  }
  return reduce(per_sample, reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape(input, target, "mse_loss");
  const Tensor d = sub(input, target);
  return reduce(mul(d, d), reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape(input, target, "l1_loss");
  return reduce(abs(sub(input, target)), reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction) {
  check_same_shape(logits, target, "binary_cross_entropy_with_logits");
  // softplus(x) - x*y: softplus is computed without overflow (linear above its threshold of 20,
  // log1p(exp(x)) below), and unlike the max(x,0) + log1p(exp(-|x|)) form it has no kink at 0,
  // so the gradient at x = 0 is exactly sigmoid(0) - y.
  return reduce(sub(softplus(logits), mul(logits, target)), reduction);
}

}  // namespace eta
