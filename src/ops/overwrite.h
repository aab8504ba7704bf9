// Ops that write their result over their input, for a caller holding the input's only handle while
// no graph is recorded (nn::Sequential in inference): an activation then keeps one buffer, not
// two. Internal: the public ops always return a new tensor.
#pragma once
#include "eta/tensor/tensor.h"

namespace eta {

// True when the holder of this one handle may overwrite `t`: grad mode is off, `t` does not
// require grad, and no other handle, view or graph shares its memory (contiguous, from offset 0).
bool overwritable(const Tensor& t);
// relu(x) written into x; x must be overwritable.
Tensor relu_over(const Tensor& x);
// batch_norm_relu(...) written into x; x must be overwritable.
Tensor batch_norm_relu_over(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                            const Tensor& bias, bool training, double momentum, double eps);

}  // namespace eta
