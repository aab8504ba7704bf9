// gather's backward, shared with max_pool2d's create_graph path: g summed into zeros of `in_shape`
// at the positions `index` picks along `dim` (a scatter-add). Recorded under create_graph, where
// its own gradient is gather again. Internal (src/ops only).
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

Tensor gather_backward(const Tensor& g, int64_t dim, const Tensor& index, const Shape& in_shape);

}  // namespace eta
