// Tensor handle basics: storage, metadata, element access, printing, in-place updates.
#include "eta/tensor/tensor.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/tensor/memory.h"
#include "kernels/strided.h"
#include "tensor/dispatch.h"

namespace eta {

std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << ']';
  return os.str();
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
  }
  return "unknown";
}

// 64-byte alignment suits AVX-512 loads and cache lines; large blocks are cached (memory.h).
Storage::Storage(size_t n) : data(detail::allocate_storage(n)), nbytes(n) {}
Storage::~Storage() { detail::free_storage(data, nbytes); }

Shape contiguous_strides(const Shape& shape) {
  Shape s(shape.size());
  int64_t acc = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t lo = ndim == 0 ? -1 : -ndim;
  const int64_t hi = ndim == 0 ? 0 : ndim - 1;
  ETA_CHECK(dim >= lo && dim <= hi, op, ": dim ", dim, " is out of range for a tensor of rank ", ndim,
            " (expected a dim in [", lo, ", ", hi, "])");
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

Tensor empty(const Shape& shape, DType dtype) {
  for (int64_t s : shape) ETA_CHECK(s >= 0, "empty: negative size in shape ", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

static const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  ETA_CHECK(impl != nullptr, "tensor: operation on an undefined tensor");
  return *impl;
}

const Shape& Tensor::shape() const { return checked(impl_).shape; }
int64_t Tensor::dim() const { return static_cast<int64_t>(shape().size()); }
int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::numel() const { return shape_numel(shape()); }
const Shape& Tensor::strides() const { return checked(impl_).strides; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }
int64_t Tensor::offset() const { return checked(impl_).offset; }
DType Tensor::dtype() const { return checked(impl_).dtype; }

bool Tensor::is_contiguous() const {
  const auto& sh = shape();
  const auto& st = strides();
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (sh[d] == 1) continue;
    if (st[d] != expected) return false;
    expected *= sh[d];
  }
  return true;
}

bool Tensor::shares_storage(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage == other.impl_->storage;
}

void* Tensor::raw_data() const {
  const auto& im = checked(impl_);
  return static_cast<char*>(im.storage->data) + im.offset * static_cast<int64_t>(dtype_size(im.dtype));
}

template <class T>
T* Tensor::data_ptr() const {
  ETA_CHECK(dtype() == dtype_of<T>::value, "data_ptr: tensor is ", dtype_name(dtype()), " but ",
            dtype_name(dtype_of<T>::value), " was requested");
  return static_cast<T*>(raw_data());
}
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;

static int64_t element_offset(const Tensor& t, std::initializer_list<int64_t> index, const char* op) {
  ETA_CHECK(static_cast<int64_t>(index.size()) == t.dim(), op, ": ", index.size(),
            " indices given for a tensor of shape ", shape_str(t.shape()));
  int64_t off = 0;
  int64_t d = 0;
  for (int64_t i : index) {
    const int64_t n = t.shape()[d];
    ETA_CHECK(i >= -n && i < n, op, ": index ", i, " is out of range for dim ", d, " of size ", n,
              " (shape ", shape_str(t.shape()), ")");
    off += (i < 0 ? i + n : i) * t.strides()[d];
    ++d;
  }
  return off;
}

double Tensor::at(std::initializer_list<int64_t> index) const {
  const int64_t off = element_offset(*this, index, "at");
  return dispatch_all(dtype(), [&](auto tag) {
    using T = decltype(tag);
    return static_cast<double>(static_cast<const T*>(raw_data())[off]);
  });
}

void Tensor::set(std::initializer_list<int64_t> index, double value) {
  const int64_t off = element_offset(*this, index, "set");
  dispatch_all(dtype(), [&](auto tag) {
    using T = decltype(tag);
    static_cast<T*>(raw_data())[off] = static_cast<T>(value);
  });
}

double Tensor::item() const {
  ETA_CHECK(numel() == 1, "item: tensor of shape ", shape_str(shape()), " has ", numel(),
            " elements, expected exactly 1");
  return contiguous().to_vector()[0];
}

std::vector<double> Tensor::to_vector() const {
  std::vector<double> out(static_cast<size_t>(numel()));
  if (out.empty()) return out;
  dispatch_all(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const Shape dst = contiguous_strides(shape());
    kernels::copy_kernel(shape(), out.data(), dst, static_cast<const T*>(raw_data()), strides());
  });
  return out;
}

std::vector<int64_t> Tensor::to_int_vector() const {
  ETA_CHECK(dtype() == kInt64, "to_int_vector: tensor is ", dtype_name(dtype()), ", expected int64");
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  if (out.empty()) return out;
  kernels::copy_kernel(shape(), out.data(), contiguous_strides(shape()), data_ptr<int64_t>(), strides());
  return out;
}

std::string Tensor::to_string() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

// Writes nested brackets for dims [d, ndim) of the row-major values starting at `first`.
static void print_nested(std::ostream& os, const std::vector<double>& v, const Shape& sh, size_t d, int64_t first,
                         int64_t block) {
  if (d == sh.size()) {
    os << v[static_cast<size_t>(first)];
    return;
  }
  const int64_t inner = block / std::max<int64_t>(sh[d], 1);
  os << '[';
  for (int64_t i = 0; i < sh[d]; ++i) {
    if (i) os << (d + 1 == sh.size() ? ", " : ",\n" + std::string(8 + d, ' '));
    print_nested(os, v, sh, d + 1, first + i * inner, inner);
  }
  os << ']';
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  std::ostringstream body;
  body << std::setprecision(t.dtype() == kFloat64 ? 8 : 5);
  if (t.numel() > 1000) {  // summarise big tensors instead of flooding the terminal
    const std::vector<double> v = t.to_vector();
    body << "[" << v[0] << ", " << v[1] << ", ..., " << v.back() << "]";
  } else {
    print_nested(body, t.to_vector(), t.shape(), 0, 0, t.numel());
  }
  os << "tensor(" << body.str() << ", shape=" << shape_str(t.shape()) << ", dtype=" << dtype_name(t.dtype());
  if (t.requires_grad()) os << ", requires_grad=true";
  return os << ")";
}

// ---------------- autograd accessors ----------------

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

Tensor& Tensor::requires_grad_(bool on) {
  ETA_CHECK(is_leaf(), "requires_grad_: only leaf tensors can change requires_grad; use detach() on a result");
  ETA_CHECK(!on || is_floating(dtype()), "requires_grad_: only float tensors can require gradients, got ",
            dtype_name(dtype()));
  impl_->requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const {
  const auto& im = checked(impl_);
  return im.grad ? Tensor(im.grad) : Tensor();
}

void Tensor::set_grad(const Tensor& g) {
  checked(impl_);
  if (g.defined())
    ETA_CHECK(g.shape() == shape() && g.dtype() == dtype(), "set_grad: gradient of shape ", shape_str(g.shape()),
              " and dtype ", dtype_name(g.dtype()), " does not match tensor ", shape_str(shape()), " ",
              dtype_name(dtype()));
  impl_->grad = g.impl_ptr();
}

void Tensor::zero_grad() {
  checked(impl_);
  impl_->grad.reset();
}
bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

Tensor Tensor::detach() const {
  const auto& im = checked(impl_);
  auto out = std::make_shared<TensorImpl>();
  out->storage = im.storage;
  out->shape = im.shape;
  out->strides = im.strides;
  out->offset = im.offset;
  out->dtype = im.dtype;
  return Tensor(std::move(out));
}

// ---------------- in-place updates (never recorded) ----------------

static void check_inplace(const Tensor& t, const char* op) {
  ETA_CHECK(!(grad_enabled() && t.requires_grad() && t.is_leaf()), op,
            ": a leaf tensor that requires grad cannot be modified in place while grad mode is on "
            "(wrap the update in eta::NoGradGuard)");
  ETA_CHECK(t.grad_fn() == nullptr || !grad_enabled(), op,
            ": in-place update of a tensor that is part of an autograd graph");
}

Tensor& Tensor::fill_(double value) {
  check_inplace(*this, "fill_");
  dispatch_all(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = static_cast<T>(value);
    const Shape zero(static_cast<size_t>(dim()), 0);
    kernels::copy_kernel(shape(), data_ptr<T>(), strides(), &v, zero);
  });
  return *this;
}

Shape broadcast_strides_to(const Tensor& t, const Shape& target, const char* op);

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace(*this, "copy_");
  const Shape src_strides = broadcast_strides_to(src, shape(), "copy_");
  dispatch_all(dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_all(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      kernels::copy_kernel(shape(), data_ptr<D>(), strides(), static_cast<const S*>(src.raw_data()), src_strides);
    });
  });
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_inplace(*this, "add_");
  ETA_CHECK(other.dtype() == dtype(), "add_: dtype mismatch, tensor is ", dtype_name(dtype()), " but other is ",
            dtype_name(other.dtype()));
  const Shape o_strides = broadcast_strides_to(other, shape(), "add_");
  dispatch_floating(dtype(), "add_", [&](auto tag) {
    using T = decltype(tag);
    const T a = static_cast<T>(alpha);
    T* dst = data_ptr<T>();
    const T* src = other.data_ptr<T>();
    kernels::for_each_row<2>(shape(), {&strides(), &o_strides}, kernels::kElementwiseGrain,
                             [&](const std::array<int64_t, 2>& off, const std::array<int64_t, 2>& st, int64_t n) {
                               T* d = dst + off[0];
                               const T* s = src + off[1];
                               if (st[0] == 1 && st[1] == 1) {
                                 for (int64_t i = 0; i < n; ++i) d[i] += a * s[i];
                               } else {
                                 for (int64_t i = 0; i < n; ++i) d[i * st[0]] += a * s[i * st[1]];
                               }
                             });
  });
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  check_inplace(*this, "mul_");
  dispatch_floating(dtype(), "mul_", [&](auto tag) {
    using T = decltype(tag);
    const T f = static_cast<T>(factor);
    T* dst = data_ptr<T>();
    kernels::for_each_row<1>(shape(), {&strides()}, kernels::kElementwiseGrain,
                             [&](const std::array<int64_t, 1>& off, const std::array<int64_t, 1>& st, int64_t n) {
                               T* d = dst + off[0];
                               for (int64_t i = 0; i < n; ++i) d[i * st[0]] *= f;
                             });
  });
  return *this;
}

}  // namespace eta
