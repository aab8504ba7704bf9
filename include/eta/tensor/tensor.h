// Tensor: a cheap handle (shared_ptr) to a TensorImpl that holds storage, shape, strides, offset,
// dtype and the autograd record. Copying a Tensor shares data; clone() copies it. Views (reshape,
// transpose, slice, ...) share storage and carry their own strides.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eta/tensor/dtype.h"

namespace eta {

using Shape = std::vector<int64_t>;

class Node;

// A flat, 64-byte aligned byte buffer. Owned by shared_ptr; views share it.
struct Storage {
  explicit Storage(size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data = nullptr;
  size_t nbytes = 0;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;  // in elements
  int64_t offset = 0;  // in elements
  DType dtype = DType::Float32;
  // Autograd record: a leaf has requires_grad and no grad_fn; an op result has a grad_fn.
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;
};

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (e.g. a gradient that was never computed)
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // --- metadata ---
  const Shape& shape() const;
  const Shape& sizes() const { return shape(); }
  int64_t size(int64_t dim) const;  // negative dims count from the end
  int64_t dim() const;
  int64_t numel() const;
  const Shape& strides() const;
  int64_t stride(int64_t dim) const;
  int64_t offset() const;
  DType dtype() const;
  bool is_contiguous() const;
  // True when this tensor and `other` view the same storage.
  bool shares_storage(const Tensor& other) const;

  // --- raw data: pointer to element 0 of this view (offset applied); checks the dtype ---
  template <class T> T* data_ptr() const;
  void* raw_data() const;

  // --- single elements and conversion ---
  double item() const;                               // a one-element tensor's value
  double at(std::initializer_list<int64_t> index) const;
  void set(std::initializer_list<int64_t> index, double value);
  std::vector<double> to_vector() const;             // row-major values, as double
  std::vector<int64_t> to_int_vector() const;        // row-major values of an int64 tensor
  std::string to_string() const;

  // --- autograd ---
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);  // only on leaves
  Tensor grad() const;                     // undefined until backward reached this leaf
  void set_grad(const Tensor& g);
  void zero_grad();                        // drops the gradient (PyTorch's set_to_none)
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;
  // Reverse-mode autodiff from this tensor. Without `gradient` the tensor must hold one element.
  // create_graph records the backward pass itself, so the gradients left in .grad can be
  // differentiated again (higher-order gradients); the graph is then kept unless retain_graph says
  // otherwise (PyTorch's defaults). Such a .grad holds a graph that holds the tensor again — a
  // reference cycle, freed only by zero_grad() — so prefer autograd::grad for higher orders.
  void backward(const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  Tensor detach() const;  // same storage, no autograd history

  // --- views (share storage; differentiable) ---
  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;  // like reshape, but never copies (throws instead)
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const;  // 2-D transpose
  Tensor permute(const Shape& dims) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // slice of width 1, dim removed
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(DType dtype) const;

  // --- method forms of common ops (see eta/ops/*.h) ---
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor relu() const;
  Tensor pow(double exponent) const;
  Tensor max() const;  // of all elements
  Tensor max(const Shape& dims, bool keepdim = false) const;
  Tensor min() const;
  Tensor min(const Shape& dims, bool keepdim = false) const;
  Tensor abs() const;
  Tensor neg() const;
  Tensor sqrt() const;
  Tensor square() const;
  Tensor rsqrt() const;
  Tensor reciprocal() const;
  Tensor sign() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor erf() const;

  // --- in-place, not recorded by autograd (for optimizers and initialisers) ---
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);                     // broadcasts src, casts dtype
  Tensor& add_(const Tensor& other, double alpha = 1);  // this += alpha * other
  Tensor& mul_(double factor);

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Contiguous row-major strides for a shape.
Shape contiguous_strides(const Shape& shape);
int64_t shape_numel(const Shape& shape);
// Wraps a possibly negative dim into [0, ndim); `op` names the caller in the error.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// A fresh, contiguous, uninitialised tensor.
Tensor empty(const Shape& shape, DType dtype = kFloat32);

}  // namespace eta
