// cat, stack, gather, index_select. Index values are checked before any data is touched, and
// gradients scatter back serially so that repeated indices add up in a fixed order.
#include "eta/ops/indexing.h"

#include "eta/tensor/grad_mode.h"
#include "eta/autograd/node.h"
#include "eta/tensor/factory.h"
#include "ops/gather_backward.h"
#include "ops/map.h"

namespace eta {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  ETA_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  dim = wrap_dim(dim, first.dim(), "cat");
  Shape out_shape = first.shape();
  out_shape[dim] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    check_same_dtype(first, t, "cat");
    bool ok = t.dim() == first.dim();
    for (int64_t d = 0; ok && d < t.dim(); ++d) ok = d == dim || t.shape()[d] == first.shape()[d];
    ETA_CHECK(ok, "cat: tensor ", i, " has shape ", shape_str(t.shape()), " but tensor 0 has ",
              shape_str(first.shape()), "; all dims except dim ", dim, " must match");
    out_shape[dim] += t.shape()[dim];
  }
  Tensor out = empty(out_shape, first.dtype());
  std::vector<int64_t> sizes;
  {
    NoGradGuard no_grad;
    int64_t at = 0;
    for (const Tensor& t : tensors) {
      out.slice(dim, at, at + t.shape()[dim]).copy_(t);
      sizes.push_back(t.shape()[dim]);
      at += t.shape()[dim];
    }
  }
  return autograd::record("cat", out, tensors, [sizes, dim](const Tensor& g, const NeedsGrad& need) {
    std::vector<Tensor> grads(sizes.size());
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (need[i]) grads[i] = g.slice(dim, at, at + sizes[i]);
      at += sizes[i];
    }
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  ETA_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  dim = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    ETA_CHECK(tensors[i].shape() == tensors[0].shape(), "stack: tensor ", i, " has shape ",
              shape_str(tensors[i].shape()), " but tensor 0 has ", shape_str(tensors[0].shape()));
    parts.push_back(tensors[i].unsqueeze(dim));
  }
  return cat(parts, dim);
}

namespace {

// Walks every element of `index` (any strides), yielding (flat position, storage offset into
// `x` of the gathered element). Checks each index value against x's size along dim.
template <class F>
void for_each_gather(const Tensor& x, int64_t dim, const Tensor& index, const char* op, const F& f) {
  const std::vector<int64_t> idx = index.to_int_vector();
  const Shape& ish = index.shape();
  const int64_t nd = index.dim();
  std::vector<int64_t> pos(static_cast<size_t>(nd), 0);
  for (size_t flat = 0; flat < idx.size(); ++flat) {
    const int64_t v = idx[flat];
    ETA_CHECK(v >= -x.shape()[dim] && v < x.shape()[dim], op, ": index ", v, " is out of range for dim ", dim,
              " of size ", x.shape()[dim], " (input shape ", shape_str(x.shape()), ")");
    int64_t off = 0;
    for (int64_t d = 0; d < nd; ++d)
      off += (d == dim ? (v < 0 ? v + x.shape()[dim] : v) : pos[d]) * x.strides()[d];
    f(static_cast<int64_t>(flat), off);
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++pos[d] < ish[d]) break;
      pos[d] = 0;
    }
  }
}

}  // namespace

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  dim = wrap_dim(dim, x.dim(), "gather");
  ETA_CHECK(index.dtype() == kInt64, "gather: index must be int64, got ", dtype_name(index.dtype()));
  ETA_CHECK(index.dim() == x.dim(), "gather: index ", shape_str(index.shape()), " and input ", shape_str(x.shape()),
            " must have the same rank");
  for (int64_t d = 0; d < x.dim(); ++d)
    ETA_CHECK(d == dim || index.shape()[d] <= x.shape()[d], "gather: index ", shape_str(index.shape()),
              " is larger than input ", shape_str(x.shape()), " in dim ", d);
  Tensor out = empty(index.shape(), x.dtype());
  dispatch_floating(x.dtype(), "gather", [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    for_each_gather(x, dim, index, "gather", [&](int64_t flat, int64_t off) { dst[flat] = src[off]; });
  });
  const Tensor si = index.detach();
  const Shape in_shape = x.shape();
  return autograd::record("gather", out, {x}, [si, in_shape, dim](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{gather_backward(g, dim, si, in_shape)};
  });
}

Tensor gather_backward(const Tensor& g, int64_t dim, const Tensor& index, const Shape& in_shape) {
  Tensor gi = zeros(in_shape, g.dtype());
  const Tensor gc = g.detach().contiguous();
  dispatch_floating(g.dtype(), "gather_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* gp = gc.data_ptr<T>();
    T* dst = gi.data_ptr<T>();
    for_each_gather(gi, dim, index, "gather", [&](int64_t flat, int64_t off) { dst[off] += gp[flat]; });
  });
  // Recorded under create_graph (a no-op otherwise): the adjoint of a scatter-add is the gather.
  return autograd::record("gather_backward", gi, {g}, [dim, index](const Tensor& u, const NeedsGrad&) {
    return std::vector<Tensor>{gather(u, dim, index)};
  });
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  dim = wrap_dim(dim, x.dim(), "index_select");
  ETA_CHECK(index.dtype() == kInt64, "index_select: index must be int64, got ", dtype_name(index.dtype()));
  ETA_CHECK(index.dim() <= 1, "index_select: index must be 1-D, got shape ", shape_str(index.shape()));
  const std::vector<int64_t> idx = index.to_int_vector();
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[dim];
  for (int64_t v : idx)
    ETA_CHECK(v >= -n && v < n, "index_select: index ", v, " is out of range for dim ", dim, " of size ", n,
              " (input shape ", shape_str(x.shape()), ")");
  Shape out_shape = x.shape();
  out_shape[dim] = static_cast<int64_t>(idx.size());
  Tensor out = empty(out_shape, x.dtype());
  {
    NoGradGuard no_grad;
    const Tensor src = x.detach();
    for (size_t i = 0; i < idx.size(); ++i)
      out.select(dim, static_cast<int64_t>(i)).copy_(src.select(dim, idx[i] < 0 ? idx[i] + n : idx[i]));
  }
  const Shape in_shape = x.shape();
  const DType dt = x.dtype();
  return autograd::record("index_select", out, {x}, [idx, in_shape, dt, dim, n](const Tensor& g, const NeedsGrad&) {
    Tensor gi = zeros(in_shape, dt);
    {
      NoGradGuard no_grad;
      const Tensor gd = g.detach();
      for (size_t i = 0; i < idx.size(); ++i)
        gi.select(dim, idx[i] < 0 ? idx[i] + n : idx[i]).add_(gd.select(dim, static_cast<int64_t>(i)));
    }
    // Recorded under create_graph (a no-op otherwise): the adjoint of the scatter is the selection.
    return std::vector<Tensor>{autograd::record("index_select_backward", gi, {g}, [idx, dim](const Tensor& u, const NeedsGrad&) {
      return std::vector<Tensor>{index_select(u, dim, from_vector(idx, {static_cast<int64_t>(idx.size())}))};
    })};
  });
}

}  // namespace eta
