// Tensor creation: constants, ranges, data from vectors, random draws.
#pragma once
#include <vector>

#include "eta/tensor/generator.h"
#include "eta/tensor/tensor.h"

namespace eta {

Tensor zeros(const Shape& shape, DType dtype = kFloat32);
Tensor ones(const Shape& shape, DType dtype = kFloat32);
Tensor full(const Shape& shape, double value, DType dtype = kFloat32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor scalar_tensor(double value, DType dtype = kFloat32);  // 0-dim
// [start, end) with `step`, as torch.arange.
Tensor arange(double start, double end, double step = 1, DType dtype = kFloat32);
Tensor arange(int64_t end, DType dtype = kFloat32);
// Copies `values` into a new tensor of `shape` (which must hold values.size() elements).
Tensor from_vector(const std::vector<float>& values, const Shape& shape);
Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype = kFloat64);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);
// Uniform in [low, high) and normal(mean, std).
Tensor uniform(const Shape& shape, double low = 0, double high = 1, DType dtype = kFloat32,
               Generator& gen = default_generator());
Tensor normal(const Shape& shape, double mean = 0, double std = 1, DType dtype = kFloat32,
              Generator& gen = default_generator());
Tensor rand(const Shape& shape, DType dtype = kFloat32, Generator& gen = default_generator());
Tensor randn(const Shape& shape, DType dtype = kFloat32, Generator& gen = default_generator());

}  // namespace eta
