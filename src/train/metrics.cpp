// Confusion matrix bookkeeping and rendering.
#include "eta/train/metrics.h"

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "eta/error.h"
#include "eta/ops/reduction.h"

namespace eta::train {

ConfusionMatrix::ConfusionMatrix(int64_t n) : n_(n), counts_(static_cast<size_t>(n * n), 0) {
  ETA_CHECK(n > 0, "ConfusionMatrix: need at least one class, got ", n);
}

void ConfusionMatrix::add_counts(const std::vector<int64_t>& counts) {
  ETA_CHECK(counts.size() == counts_.size(), "ConfusionMatrix::add_counts: ", counts.size(), " counts for a ", n_, "x", n_,
            " matrix");
  for (size_t i = 0; i < counts.size(); ++i) counts_[i] += counts[i];
}

void ConfusionMatrix::add(const Tensor& scores, const Tensor& targets) {
  const Tensor pred = scores.dim() == 2 ? argmax(scores, 1) : scores;
  ETA_CHECK(pred.dtype() == kInt64 && targets.dtype() == kInt64, "ConfusionMatrix::add: predictions and targets must be int64");
  const std::vector<int64_t> p = pred.to_int_vector(), t = targets.to_int_vector();
  ETA_CHECK(p.size() == t.size(), "ConfusionMatrix::add: ", p.size(), " predictions but ", t.size(), " targets");
  for (size_t i = 0; i < p.size(); ++i) {
    ETA_CHECK(t[i] >= 0 && t[i] < n_ && p[i] >= 0 && p[i] < n_, "ConfusionMatrix::add: class out of range (target ",
              t[i], ", predicted ", p[i], ", ", n_, " classes)");
    ++counts_[static_cast<size_t>(t[i] * n_ + p[i])];
  }
}

int64_t ConfusionMatrix::total() const {
  int64_t s = 0;
  for (int64_t c : counts_) s += c;
  return s;
}

double ConfusionMatrix::accuracy() const {
  int64_t right = 0;
  for (int64_t i = 0; i < n_; ++i) right += count(i, i);
  const int64_t all = total();
  return all ? static_cast<double>(right) / static_cast<double>(all) : std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> ConfusionMatrix::per_class_accuracy() const {
  std::vector<double> out;
  for (int64_t i = 0; i < n_; ++i) {
    int64_t row = 0;
    for (int64_t j = 0; j < n_; ++j) row += count(i, j);
    out.push_back(row ? static_cast<double>(count(i, i)) / static_cast<double>(row) : std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

std::string ConfusionMatrix::to_string(const std::vector<std::string>& names) const {
  std::ostringstream os;
  size_t label_width = 5;
  for (const auto& n : names) label_width = std::max(label_width, n.size());
  os << std::setw(static_cast<int>(label_width)) << "true\\pred";
  for (int64_t j = 0; j < n_; ++j) os << std::setw(6) << j;
  os << "   accuracy\n";
  const std::vector<double> acc = per_class_accuracy();
  for (int64_t i = 0; i < n_; ++i) {
    const std::string label = i < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(i)] : std::to_string(i);
    os << std::setw(static_cast<int>(label_width)) << label;
    for (int64_t j = 0; j < n_; ++j) os << std::setw(6) << count(i, j);
    os << "   " << std::fixed << std::setprecision(3) << acc[static_cast<size_t>(i)] << "\n";
  }
  return os.str();
}

}  // namespace eta::train
