// Classification metrics: a confusion matrix with accuracy and per-class accuracy, and a text
// rendering for the end-of-training summary.
#pragma once
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::train {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t num_classes);
  // logits (N, C) or predicted indices (N); targets int64 (N).
  void add(const Tensor& logits_or_predictions, const Tensor& targets);
  int64_t count(int64_t target, int64_t predicted) const { return counts_[static_cast<size_t>(target * n_ + predicted)]; }
  // Row-major counts (true class, predicted class); add_counts() adds another matrix's, e.g. from
  // another process evaluating another slice.
  const std::vector<int64_t>& counts() const { return counts_; }
  void add_counts(const std::vector<int64_t>& counts);
  int64_t total() const;
  int64_t num_classes() const { return n_; }
  double accuracy() const;
  std::vector<double> per_class_accuracy() const;  // NaN for a class with no samples
  // A table with row = true class, column = predicted class; `names` label the rows if given.
  std::string to_string(const std::vector<std::string>& names = {}) const;

 private:
  int64_t n_;
  std::vector<int64_t> counts_;
};

}  // namespace eta::train
