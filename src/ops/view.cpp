// View ops: new shape/strides/offset over the same storage, each with its backward beside it.
// contiguous(), clone() and to() are here too since they are the ways out of a view.
#include <algorithm>
#include <numeric>

#include "eta/autograd/node.h"
#include "eta/error.h"
#include "eta/ops/elementwise.h"
#include "eta/tensor/factory.h"
#include "eta/tensor/tensor.h"
#include "kernels/strided.h"
#include "tensor/dispatch.h"

namespace eta {

namespace {

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

// Resolves one -1 entry and checks the element count.
Shape infer_shape(const Shape& requested, int64_t numel, const Shape& from, const char* op) {
  Shape shape = requested;
  int64_t known = 1;
  int64_t infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      ETA_CHECK(infer < 0, op, ": only one dimension can be -1, got ", shape_str(requested));
      infer = static_cast<int64_t>(i);
    } else {
      ETA_CHECK(shape[i] >= 0, op, ": invalid size ", shape[i], " in shape ", shape_str(requested));
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    ETA_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(requested), " is invalid for input of shape ",
              shape_str(from), " (", numel, " elements)");
    shape[static_cast<size_t>(infer)] = numel / known;
  }
  ETA_CHECK(shape_numel(shape) == numel, op, ": shape ", shape_str(requested), " is invalid for input of shape ",
            shape_str(from), " (", numel, " elements)");
  return shape;
}

}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  const Shape shape = infer_shape(requested, numel(), this->shape(), "view");
  ETA_CHECK(is_contiguous(), "view: input of shape ", shape_str(this->shape()),
            " is not contiguous; use reshape() (which copies) or call contiguous() first");
  Tensor out = make_view(*this, shape, contiguous_strides(shape), offset());
  const Shape in_shape = this->shape();
  return autograd::record("view", out, {*this}, [in_shape](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
}

Tensor Tensor::reshape(const Shape& requested) const {
  infer_shape(requested, numel(), shape(), "reshape");  // errors name reshape, not view
  return is_contiguous() ? view(requested) : contiguous().view(requested);
}

Tensor Tensor::flatten(int64_t start, int64_t end) const {
  if (dim() == 0) return reshape({1});
  start = wrap_dim(start, dim(), "flatten");
  end = wrap_dim(end, dim(), "flatten");
  ETA_CHECK(start <= end, "flatten: start_dim ", start, " is after end_dim ", end);
  Shape s(shape().begin(), shape().begin() + start);
  int64_t n = 1;
  for (int64_t d = start; d <= end; ++d) n *= shape()[d];
  s.push_back(n);
  s.insert(s.end(), shape().begin() + end + 1, shape().end());
  return reshape(s);
}

Tensor Tensor::permute(const Shape& dims) const {
  ETA_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: got ", dims.size(), " dims ", shape_str(dims),
            " for a tensor of shape ", shape_str(shape()));
  Shape order(dims.size()), sh(dims.size()), st(dims.size());
  std::vector<bool> used(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], dim(), "permute");
    ETA_CHECK(!used[d], "permute: dim ", d, " repeated in ", shape_str(dims));
    used[d] = true;
    order[i] = d;
    sh[i] = shape()[d];
    st[i] = strides()[d];
  }
  Tensor out = make_view(*this, sh, st, offset());
  Shape inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[order[i]] = static_cast<int64_t>(i);
  return autograd::record("permute", out, {*this}, [inverse](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g.permute(inverse)};
  });
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  d0 = wrap_dim(d0, dim(), "transpose");
  d1 = wrap_dim(d1, dim(), "transpose");
  Shape order(static_cast<size_t>(dim()));
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[d0], order[d1]);
  return permute(order);
}

Tensor Tensor::t() const {
  ETA_CHECK(dim() <= 2, "t: expects a tensor of rank <= 2, got shape ", shape_str(shape()));
  return dim() < 2 ? *this : transpose(0, 1);
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = wrap_dim(d, dim(), "slice");
  ETA_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = shape()[d];
  // Python-style clamping of start/end, negatives counting from the end.
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape sh = shape(), st = strides();
  sh[d] = (end - start + step - 1) / step;
  st[d] *= step;
  Tensor out = make_view(*this, sh, st, offset() + start * strides()[d]);
  const Shape in_shape = shape();
  const DType dt = dtype();
  return autograd::record("slice", out, {*this}, [in_shape, dt, d, start, end, step](const Tensor& g, const NeedsGrad&) {
    Tensor gi = zeros(in_shape, dt);
    gi.slice(d, start, end, step).copy_(g);
    // Recorded under create_graph (a no-op otherwise): its own gradient is the slice again.
    return std::vector<Tensor>{autograd::record("slice_backward", gi, {g}, [d, start, end, step](const Tensor& u, const NeedsGrad&) {
      return std::vector<Tensor>{u.slice(d, start, end, step)};
    })};
  });
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  d = wrap_dim(d, dim(), "select");
  const int64_t n = shape()[d];
  ETA_CHECK(index >= -n && index < n, "select: index ", index, " is out of range for dim ", d, " of size ", n,
            " (shape ", shape_str(shape()), ")");
  if (index < 0) index += n;
  return slice(d, index, index + 1).squeeze(d);
}

Tensor Tensor::squeeze() const {
  Shape s;
  for (int64_t v : shape())
    if (v != 1) s.push_back(v);
  return reshape(s);
}

Tensor Tensor::squeeze(int64_t d) const {
  d = wrap_dim(d, dim(), "squeeze");
  if (shape()[d] != 1) return *this;  // PyTorch: squeezing a non-1 dim is a no-op
  Shape sh = shape(), st = strides();
  sh.erase(sh.begin() + d);
  st.erase(st.begin() + d);
  Tensor out = make_view(*this, sh, st, offset());
  const Shape in_shape = shape();
  return autograd::record("squeeze", out, {*this}, [in_shape](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape sh = shape(), st = strides();
  const int64_t stride = d < dim() ? strides()[d] * shape()[d] : 1;
  sh.insert(sh.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  Tensor out = make_view(*this, sh, st, offset());
  const Shape in_shape = shape();
  return autograd::record("unsqueeze", out, {*this}, [in_shape](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
}

Tensor Tensor::expand(const Shape& target) const {
  ETA_CHECK(target.size() >= shape().size(), "expand: cannot expand shape ", shape_str(shape()), " to ",
            shape_str(target), " (fewer dims)");
  Shape resolved = target;
  const size_t lead = target.size() - shape().size();
  for (size_t i = 0; i < shape().size(); ++i)
    if (target[lead + i] == -1) resolved[lead + i] = shape()[i];
  Shape st(target.size(), 0);
  for (size_t i = 0; i < shape().size(); ++i) {
    const int64_t have = shape()[i], want = resolved[lead + i];
    ETA_CHECK(have == want || have == 1, "expand: cannot expand shape ", shape_str(shape()), " to ",
              shape_str(target), " (dim ", lead + i, ": ", have, " vs ", want, ")");
    st[lead + i] = have == 1 && want != 1 ? 0 : strides()[i];
  }
  Tensor out = make_view(*this, resolved, st, offset());
  const Shape in_shape = shape();
  return autograd::record("expand", out, {*this}, [in_shape](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{sum_to(g, in_shape)};
  });
}

// A contiguous copy of `src` in its own storage (no autograd).
static Tensor copy_contiguous(const Tensor& src, DType dtype) {
  Tensor out = empty(src.shape(), dtype);
  if (out.numel() == 0) return out;
  dispatch_all(dtype, [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_all(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      kernels::copy_kernel(src.shape(), out.data_ptr<D>(), out.strides(), static_cast<const S*>(src.raw_data()),
                           src.strides());
    });
  });
  return out;
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = copy_contiguous(*this, dtype());
  return autograd::record("contiguous", out, {*this}, [](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g};
  });
}

Tensor Tensor::clone() const {
  Tensor out = copy_contiguous(*this, dtype());
  return autograd::record("clone", out, {*this}, [](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g};
  });
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = copy_contiguous(*this, target);
  if (!is_floating(target)) return out;  // casting to int64 ends differentiation
  const DType from = dtype();
  return autograd::record("to", out, {*this}, [from](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{g.to(from)};
  });
}

}  // namespace eta
