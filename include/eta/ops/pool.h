// 2-D pooling on (N, C, H, W) tensors, as torch.nn.functional (floor mode).
#pragma once
#include <array>

#include "eta/tensor/tensor.h"

namespace eta {

// stride {0, 0} means stride = kernel (PyTorch's default). Padding is at most half the kernel.
Tensor max_pool2d(const Tensor& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> stride = {0, 0},
                  std::array<int64_t, 2> padding = {0, 0});
Tensor avg_pool2d(const Tensor& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> stride = {0, 0},
                  std::array<int64_t, 2> padding = {0, 0}, bool count_include_pad = true);
// Output (N, C, OH, OW); bins start at floor(i*H/OH) and end at ceil((i+1)*H/OH), as PyTorch.
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> output_size);

}  // namespace eta
