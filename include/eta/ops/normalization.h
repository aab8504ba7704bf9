// Normalisation and regularisation ops: batch_norm (and batch_norm_relu), layer_norm, dropout, embedding lookup.
#pragma once
#include "eta/tensor/generator.h"
#include "eta/tensor/tensor.h"

namespace eta {

// x is (N, C) or (N, C, *). In training, normalises with the batch statistics and updates the
// running ones in place (running_var gets the unbiased variance, as PyTorch); in eval, uses the
// running statistics. weight/bias (C) may be undefined; so may the running stats in training.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5);
// relu(batch_norm(...)) as one op: the same values, gradients and running statistics bit for bit,
// one pass over memory fewer each way and one tensor fewer (nn::Sequential uses it for a
// BatchNorm1d/2d followed by a ReLU).
Tensor batch_norm_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                       const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5);
// Normalises over the last `normalized_ndim` dims; weight/bias have those dims' shape (or are undefined).
Tensor layer_norm(const Tensor& x, int64_t normalized_ndim, const Tensor& weight, const Tensor& bias, double eps = 1e-5);
// Zeroes each element with probability p and scales the rest by 1/(1-p); identity when !training.
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen = default_generator());
// Rows of weight (num, dim) picked by int64 indices of any shape -> indices.shape + (dim).
Tensor embedding(const Tensor& indices, const Tensor& weight);

}  // namespace eta
