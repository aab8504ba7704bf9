// softmax and log_softmax along one dim, computed as exp(x - max) so large logits do not overflow.
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace eta
