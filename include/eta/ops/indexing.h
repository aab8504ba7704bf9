// Joining and gathering: cat, stack, gather, index_select. Indices are int64 tensors.
#pragma once
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// out[i][j] = x[index[i][j]][j] for dim 0 (torch.gather); index has x's rank.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// Picks whole slices of x along dim; index is 1-D.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);

}  // namespace eta
