// Per-thread scratch buffers that survive across calls: kernels that need a few MB of workspace
// every training step take it from here instead of allocating (and the OS zeroing) it anew.
// Each thread has its own buffers per element type and slot; a buffer only grows, and its
// contents are whatever the last user left (callers initialise what they read).
// Slots in use: 0, 1 im2col + GEMM (kernels/conv.h); 2, 3 and the vector-typed slot 0 the direct
// convolution (kernels/direct_conv.h); 0, 2, 3 and the vector-typed slot 1 the channel-vectorised
// weight gradient (kernels/conv_weight_grad.h); 2 (each thread's A panel) and 3 (B's last columns)
// eta's GEMM (kernels/broadcast_gemm.h), which im2col + GEMM calls while holding 0 and 1. No other
// two of these run inside one another. Slot 0 also holds batch_norm_relu's masked gradient row
// (kernels/batch_norm.h), which runs inside none of them.
#pragma once
#include <cstddef>
#include <vector>

namespace eta::kernels {

template <class T>
T* scratch(int slot, size_t n) {
  thread_local std::vector<T> buffers[4];
  std::vector<T>& b = buffers[slot];
  if (b.size() < n) b.resize(n);
  return b.data();
}

}  // namespace eta::kernels
