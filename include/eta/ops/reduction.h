// Reductions over all elements or over a list of dims (negative dims allowed), with keepdim.
// Each output element is reduced in a fixed order, so results do not depend on the thread count.
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim = false);
// max/min are PyTorch's amax/amin: the gradient is shared evenly between tied maxima.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, const Shape& dims, bool keepdim = false);
// Variance with Bessel's correction by default (correction = 1), as torch.var. An empty dims list
// reduces all dims: var(x, {}, false, 0) is the population variance of every element.
Tensor var(const Tensor& x);
Tensor var(const Tensor& x, const Shape& dims, bool keepdim = false, int64_t correction = 1);
// Index of the first maximum along `dim` as int64; not differentiable.
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);

}  // namespace eta
