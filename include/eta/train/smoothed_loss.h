// SmoothedLoss: the one smoothing and divergence rule of eta's tools (lr_find, lr_sweep, the
// training plot): a bias-corrected exponential moving average of the loss, avg / (1 − β^(n)) as in
// Adam, and "diverged" once a loss is not finite or the smoothed loss exceeds `threshold` times the
// best smoothed loss seen so far (fastai's range-test rule).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace eta::train {

class SmoothedLoss {
 public:
  explicit SmoothedLoss(double beta = 0.98, double threshold = 4) : beta_(beta), threshold_(threshold) {}

  // Adds a loss; returns the smoothed value.
  double add(double loss) {
    ++count_;
    avg_ = beta_ * avg_ + (1 - beta_) * loss;
    last_ = avg_ / (1 - std::pow(beta_, static_cast<double>(count_)));
    diverged_ = diverged_ || !std::isfinite(loss) || !std::isfinite(last_) || (count_ > 1 && last_ > threshold_ * best_);
    if (last_ < best_) best_ = last_;
    return last_;
  }
  double value() const { return last_; }
  double best() const { return best_; }
  bool diverged() const { return diverged_; }
  int64_t count() const { return count_; }

 private:
  double beta_, threshold_;
  double avg_ = 0, last_ = std::numeric_limits<double>::quiet_NaN();
  double best_ = std::numeric_limits<double>::infinity();
  int64_t count_ = 0;
  bool diverged_ = false;
};

}  // namespace eta::train
