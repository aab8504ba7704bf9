// Reductions. The input is brought to a layout where the reduced elements are consecutive (rows)
// or where whole leading dims are reduced (columns); only then is a copy made if needed.
#include "eta/ops/reduction.h"

#include <algorithm>
#include <numeric>

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/tensor/factory.h"
#include "kernels/reduce.h"
#include "ops/map.h"

namespace eta {

namespace {

using kernels::ReduceKind;

// Sorted, unique, wrapped dims; an empty list means all dims.
Shape normalize_dims(const Shape& dims, int64_t ndim, const char* op) {
  Shape out;
  if (dims.empty()) {
    out.resize(static_cast<size_t>(ndim));
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim, op);
    ETA_CHECK(std::find(out.begin(), out.end(), w) == out.end(), op, ": dim ", w, " appears twice in ",
              shape_str(dims));
    out.push_back(w);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Shape reduced_shape(const Shape& shape, const Shape& dims, bool keepdim) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    const bool reduced = std::binary_search(dims.begin(), dims.end(), d);
    if (!reduced) out.push_back(shape[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

// The reduction without autograd; returns the keepdim-shaped result.
Tensor reduce_values(const Tensor& x, const Shape& dims, ReduceKind kind, const char* op) {
  const Shape keep_shape = reduced_shape(x.shape(), dims, true);
  Tensor out = empty(keep_shape, x.dtype());
  int64_t reduce_n = 1;
  for (int64_t d : dims) reduce_n *= x.shape()[d];
  const int64_t outer = out.numel();
  ETA_CHECK(kind == ReduceKind::Sum || reduce_n > 0 || outer == 0, op,
            ": cannot reduce over an empty dimension of shape ", shape_str(x.shape()));
  const bool leading = !dims.empty() && dims.back() == static_cast<int64_t>(dims.size()) - 1;
  dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    if (leading && x.is_contiguous()) {
      kernels::reduce_columns(x.data_ptr<T>(), reduce_n, outer, out.data_ptr<T>(), kind);
      return;
    }
    // Move reduced dims last, then each output owns one consecutive row.
    Shape order;
    for (int64_t d = 0; d < x.dim(); ++d)
      if (!std::binary_search(dims.begin(), dims.end(), d)) order.push_back(d);
    order.insert(order.end(), dims.begin(), dims.end());
    const Tensor rows = x.detach().permute(order).contiguous();
    kernels::reduce_rows(rows.data_ptr<T>(), outer, reduce_n, out.data_ptr<T>(), kind);
  });
  return out;
}

Tensor finish(const Tensor& keep, const Shape& in_shape, const Shape& dims, bool keepdim) {
  return keepdim ? keep : keep.reshape(reduced_shape(in_shape, dims, false));
}

// Reshape a gradient of the (possibly squeezed) output back to keepdim form.
Tensor grad_to_keep(const Tensor& g, const Shape& in_shape, const Shape& dims) {
  return g.reshape(reduced_shape(in_shape, dims, true));
}

Tensor sum_impl(const Tensor& x, const Shape& requested, bool keepdim) {
  const Shape dims = normalize_dims(requested, x.dim(), "sum");
  Tensor out = finish(reduce_values(x, dims, ReduceKind::Sum, "sum"), x.shape(), dims, keepdim);
  const Shape in_shape = x.shape();
  return autograd::record("sum", out, {x}, [in_shape, dims](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{grad_to_keep(g, in_shape, dims).expand(in_shape)};
  });
}

// records: max, min
Tensor extremum_impl(const Tensor& x, const Shape& requested, bool keepdim, ReduceKind kind, const char* op) {
  const Shape dims = normalize_dims(requested, x.dim(), op);
  const Tensor keep = reduce_values(x, dims, kind, op);
  Tensor out = finish(keep, x.shape(), dims, keepdim);
  const Tensor sx = x.detach(), sk = keep.detach();
  return autograd::record(op, out, {x}, [sx, sk, dims](const Tensor& g, const NeedsGrad&) {
    // Ties share the gradient evenly (PyTorch's amax/amin rule).
    const Tensor mask = eq(sx, sk);
    const Tensor count = reduce_values(mask, dims, ReduceKind::Sum, "max_backward");
    const Tensor gk = grad_to_keep(g, sx.shape(), dims);
    if (autograd::differentiable_backward()) return std::vector<Tensor>{mul(gk, div(mask, count))};  // constant shares
    return std::vector<Tensor>{map3(mask, gk, count, "max_backward", [](auto m, auto gv, auto c) { return m * gv / c; })};
  });
}

}  // namespace

Tensor sum(const Tensor& x) { return sum_impl(x, {}, false); }
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) { return sum_impl(x, dims, keepdim); }

Tensor mean(const Tensor& x, const Shape& requested, bool keepdim) {
  const Shape dims = normalize_dims(requested, x.dim(), "mean");
  int64_t n = 1;
  for (int64_t d : dims) n *= x.shape()[d];
  return div(sum_impl(x, dims, keepdim), static_cast<double>(n));
}
Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor max(const Tensor& x) { return extremum_impl(x, {}, false, ReduceKind::Max, "max"); }
Tensor max(const Tensor& x, const Shape& dims, bool keepdim) { return extremum_impl(x, dims, keepdim, ReduceKind::Max, "max"); }
Tensor min(const Tensor& x) { return extremum_impl(x, {}, false, ReduceKind::Min, "min"); }
Tensor min(const Tensor& x, const Shape& dims, bool keepdim) { return extremum_impl(x, dims, keepdim, ReduceKind::Min, "min"); }

Tensor var(const Tensor& x, const Shape& requested, bool keepdim, int64_t correction) {
  const Shape dims = normalize_dims(requested, x.dim(), "var");
  int64_t n = 1;
  for (int64_t d : dims) n *= x.shape()[d];
  ETA_CHECK(correction >= 0, "var: correction must be non-negative, got ", correction);
  // Composite of primitives, so its gradient comes for free: sum((x - mean)^2) / (n - correction).
  const Tensor centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, keepdim), static_cast<double>(n - correction));
}
Tensor var(const Tensor& x) { return var(x, {}, false, 1); }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, x.dim(), "argmax");
  ETA_CHECK(x.dim() == 0 || x.shape()[dim] > 0, "argmax: dim ", dim, " of shape ", shape_str(x.shape()), " is empty");
  const Shape dims = x.dim() == 0 ? Shape{} : Shape{dim};
  Shape order;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) order.push_back(d);
  if (x.dim() > 0) order.push_back(dim);
  const Tensor rows = x.detach().permute(order).contiguous();
  Tensor out = empty(reduced_shape(x.shape(), dims, keepdim), kInt64);
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[dim];
  dispatch_floating(x.dtype(), "argmax", [&](auto tag) {
    using T = decltype(tag);
    kernels::argmax_rows(rows.data_ptr<T>(), out.numel(), n, out.data_ptr<int64_t>());
  });
  return out;
}

}  // namespace eta
