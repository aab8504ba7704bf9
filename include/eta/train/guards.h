// Stability guards as callbacks: GradientClipping (by global norm or by value, PyTorch's
// clip_grad_norm_ / clip_grad_value_) and OutlierGuard, which skips a step whose loss or gradient
// norm is an outlier — a z-score above `z` against a moving window of recent steps — leaving the
// parameters and the optimizer's state untouched. (A non-finite loss always stops the Trainer,
// naming epoch, step and learning rate.)
#pragma once
#include <deque>
#include <string>

#include "eta/train/callback.h"

namespace eta::train {

struct GradientClippingOptions {
  double max_norm = 0;   // > 0: clip the global L2 norm to this
  double max_value = 0;  // > 0: clamp every element to [-max_value, max_value]
};

class GradientClipping : public Callback {
 public:
  explicit GradientClipping(GradientClippingOptions options);
  std::string name() const override { return "gradient_clipping"; }
  void on_before_step(Trainer& t, StepInfo& step) override;

 private:
  GradientClippingOptions options_;
};

struct OutlierGuardOptions {
  int64_t window = 50;    // steps in the moving window
  int64_t min_steps = 10; // no verdict before this many steps are in the window
  double z = 6;           // skip when (value - mean) / std exceeds this
  bool watch_loss = true, watch_grad_norm = true;
};

class OutlierGuard : public Callback {
 public:
  explicit OutlierGuard(OutlierGuardOptions options = {});
  std::string name() const override { return "outlier_guard"; }
  void on_before_step(Trainer& t, StepInfo& step) override;
  std::map<std::string, std::string> state() const override;
  void load_state(const std::map<std::string, std::string>& state, const std::map<std::string, Tensor>&) override;
  int64_t skipped() const { return skipped_; }

 private:
  // True when `v` is an outlier against `history`; then pushes nothing.
  bool outlier(const std::deque<double>& history, double v) const;
  OutlierGuardOptions options_;
  std::deque<double> losses_, norms_;
  int64_t skipped_ = 0;
};

}  // namespace eta::train
