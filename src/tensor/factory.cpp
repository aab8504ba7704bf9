// Tensor creation. Random tensors are filled serially from the generator so that a seed gives the
// same values whatever the thread count.
#include "eta/tensor/factory.h"

#include <cmath>

#include "eta/error.h"
#include "tensor/dispatch.h"

namespace eta {

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    const T v = static_cast<T>(value);
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = v;
  });
  return t;
}

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  ETA_CHECK(step != 0, "arange: step must be non-zero");
  ETA_CHECK(std::isfinite(start) && std::isfinite(end) && std::isfinite(step), "arange: start, end and step must be finite");
  ETA_CHECK((end - start) * step >= 0, "arange: step ", step, " moves away from end (start ", start, ", end ", end, ")");
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = empty({n}, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}

Tensor arange(int64_t end, DType dtype) { return arange(0, static_cast<double>(end), 1, dtype); }

template <class T>
static Tensor from_values(const std::vector<T>& values, const Shape& shape, DType dtype, const char* op) {
  const int64_t n = shape_numel(shape);
  ETA_CHECK(n == static_cast<int64_t>(values.size()), op, ": shape ", shape_str(shape), " holds ", n,
            " elements but ", values.size(), " values were given");
  Tensor t = empty(shape, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using D = decltype(tag);
    D* p = t.data_ptr<D>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<D>(values[static_cast<size_t>(i)]);
  });
  return t;
}

Tensor from_vector(const std::vector<float>& values, const Shape& shape) {
  return from_values(values, shape, kFloat32, "from_vector");
}
Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype) {
  return from_values(values, shape, dtype, "from_vector");
}
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  return from_values(values, shape, kInt64, "from_vector");
}

Tensor uniform(const Shape& shape, double low, double high, DType dtype, Generator& gen) {
  ETA_CHECK(low <= high, "uniform: low ", low, " is greater than high ", high);
  Tensor t = empty(shape, dtype);
  dispatch_floating(dtype, "uniform", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(low + (high - low) * gen.next_double());
  });
  return t;
}

Tensor normal(const Shape& shape, double mean, double std, DType dtype, Generator& gen) {
  ETA_CHECK(std >= 0, "normal: std must be non-negative, got ", std);
  Tensor t = empty(shape, dtype);
  dispatch_floating(dtype, "normal", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(mean + std * gen.next_normal());
  });
  return t;
}

Tensor rand(const Shape& shape, DType dtype, Generator& gen) { return uniform(shape, 0, 1, dtype, gen); }
Tensor randn(const Shape& shape, DType dtype, Generator& gen) { return normal(shape, 0, 1, dtype, gen); }

}  // namespace eta
