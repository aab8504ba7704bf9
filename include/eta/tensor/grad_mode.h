// Whether ops record autograd history. NoGradGuard turns recording off for a scope (inference,
// optimizer steps, the backward pass itself). It lives with the tensor, not in autograd/, because
// the tensor's own in-place updates consult it (as PyTorch keeps GradMode in c10's core);
// eta/autograd/grad_mode.h forwards here.
#pragma once

namespace eta {

bool grad_enabled();
void set_grad_enabled(bool enabled);

// Sets grad mode for a scope (on or off) and restores it after, as torch::AutoGradMode.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : previous_(grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(previous_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

// Grad mode off for a scope.
class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(false) {}
};

}  // namespace eta
