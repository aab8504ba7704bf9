// Grad mode is per thread, as in PyTorch: a NoGradGuard in one thread does not affect another.
#include "eta/tensor/grad_mode.h"

namespace eta {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }

}  // namespace eta
