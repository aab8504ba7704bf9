// Anomaly mode (PyTorch's detect_anomaly): while on, the first op whose recorded output holds NaN
// or Inf although its inputs were finite throws eta::Error naming the op and the shapes, and in
// backward the first gradient holding NaN or Inf throws naming the op that computed it. Off by
// default; off, it costs one branch on a global flag per recorded op and per backward node.
#pragma once

namespace eta::autograd {

bool anomaly_enabled();
void set_detect_anomaly(bool on);

// Turns anomaly mode on (or off) for a scope.
class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool on = true) : previous_(anomaly_enabled()) { set_detect_anomaly(on); }
  ~DetectAnomalyGuard() { set_detect_anomaly(previous_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace eta::autograd
