// Loss modules: thin holders of a reduction (and options) around eta/ops/loss.h.
#pragma once
#include "eta/ops/loss.h"

namespace eta::nn {

class CrossEntropyLoss {
 public:
  explicit CrossEntropyLoss(Reduction reduction = Reduction::Mean, double label_smoothing = 0)
      : reduction_(reduction), label_smoothing_(label_smoothing) {}
  Tensor operator()(const Tensor& logits, const Tensor& target) const {
    return cross_entropy(logits, target, reduction_, label_smoothing_);
  }

 private:
  Reduction reduction_;
  double label_smoothing_;
};

class NLLLoss {
 public:
  explicit NLLLoss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  Tensor operator()(const Tensor& log_probs, const Tensor& target) const { return nll_loss(log_probs, target, reduction_); }

 private:
  Reduction reduction_;
};

class MSELoss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const { return mse_loss(input, target, reduction_); }

 private:
  Reduction reduction_;
};

class L1Loss {
 public:
  explicit L1Loss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const { return l1_loss(input, target, reduction_); }

 private:
  Reduction reduction_;
};

class BCEWithLogitsLoss {
 public:
  explicit BCEWithLogitsLoss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  Tensor operator()(const Tensor& logits, const Tensor& target) const {
    return binary_cross_entropy_with_logits(logits, target, reduction_);
  }

 private:
  Reduction reduction_;
};

}  // namespace eta::nn
