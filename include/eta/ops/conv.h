// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) via im2col + GEMM.
#pragma once
#include <array>

#include "eta/tensor/tensor.h"

namespace eta {

// x (N, C, H, W), weight (OC, C/groups, KH, KW), optional bias (OC) -> (N, OC, OH, OW) with
// OH = (H + 2*padding - dilation*(KH-1) - 1) / stride + 1.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              std::array<int64_t, 2> stride = {1, 1}, std::array<int64_t, 2> padding = {0, 0},
              std::array<int64_t, 2> dilation = {1, 1}, int64_t groups = 1);

}  // namespace eta
