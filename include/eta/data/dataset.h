// Dataset: the one interface every source of training examples implements (in-memory tensors, CSV
// tables, MNIST-IDX and CIFAR-10 images, a user's own format). An example is an input tensor and a
// target tensor of any shape and dtype; a DataLoader batches, shuffles and transforms them.
// Also here: TensorDataset (tensors already in memory), Subset and a seeded random_split.
// No autograd: datasets hand out plain tensors.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::data {

// What one example looks like, without the batch dimension: a batch of n examples has input
// shape [n, input_shape...] and target shape [n, target_shape...] (just [n] for a class id or a
// scalar regression target).
struct ExampleSpec {
  Shape input_shape;
  DType input_dtype = kFloat32;
  Shape target_shape;  // {} for one class id or one regression value per example
  DType target_dtype = kInt64;

  int64_t input_numel() const;
  int64_t target_numel() const;
  std::string to_string() const;  // "input [3, 32, 32] float32, target [] int64", for messages
};

struct Example {
  Tensor input;   // input_shape
  Tensor target;  // target_shape (0-dim for a class id)
};

class Dataset {
 public:
  virtual ~Dataset() = default;

  virtual int64_t size() const = 0;
  virtual ExampleSpec spec() const = 0;

  // The batched path (one virtual call per batch, not per element): writes examples
  // indices[0..n) into `input` ([n, input_shape...], input_dtype) and `target` ([n, target_shape...],
  // target_dtype), both contiguous tensors the caller allocated with spec()'s shapes. Must be safe
  // to call from several threads at once (loader workers do), so it may not change the data set.
  // Implementations check each index with check_index().
  virtual void gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const = 0;

  // For classification sets: the number of classes (targets are int64 ids in [0, num_classes)) and
  // their names if known; 0 and {} for regression or unknown.
  virtual int64_t num_classes() const { return 0; }
  virtual std::vector<std::string> class_names() const { return {}; }
  // A short description for reports and error messages ("CIFAR-10 train (50000 images)").
  virtual std::string describe() const;

  // One example (tensors without the batch dimension) and several as a batch, through gather().
  Example get(int64_t index) const;
  Example get_batch(const std::vector<int64_t>& indices) const;

 protected:
  // Throws eta::Error "<describe()>: index i out of range for N examples" unless 0 <= i < size().
  void check_index(int64_t index) const;
};

// Examples taken from tensors already in memory: row i of `inputs` and of `targets` (their first
// dimensions must agree). Both are copied to contiguous tensors, so later changes to the
// originals do not leak in. `num_classes` > 0 marks an int64 target as class ids and checks them.
class TensorDataset : public Dataset {
 public:
  TensorDataset(const Tensor& inputs, const Tensor& targets, int64_t num_classes = 0);

  int64_t size() const override { return size_; }
  ExampleSpec spec() const override { return spec_; }
  void gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const override;
  int64_t num_classes() const override { return num_classes_; }
  std::string describe() const override;

  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_, targets_;
  ExampleSpec spec_;
  int64_t size_ = 0, num_classes_ = 0;
};

// The examples `indices` of `base`, in that order (repeats allowed). Shares `base`.
class Subset : public Dataset {
 public:
  Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices);

  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  ExampleSpec spec() const override { return base_->spec(); }
  void gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const override;
  int64_t num_classes() const override { return base_->num_classes(); }
  std::vector<std::string> class_names() const override { return base_->class_names(); }
  std::string describe() const override;

  const std::vector<int64_t>& indices() const { return indices_; }
  const Dataset& base() const { return *base_; }

 private:
  std::shared_ptr<const Dataset> base_;
  std::vector<int64_t> indices_;
};

// Splits `base` into disjoint random subsets of the given sizes (which must add up to its size),
// as torch.utils.data.random_split: a permutation drawn from `seed` alone, so the same seed gives
// the same split on every machine.
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> base,
                                                  const std::vector<int64_t>& lengths, uint64_t seed);
// The same with fractions (e.g. {0.8, 0.2}) that add up to 1: sizes are floor(f * N), and the
// examples left over by rounding go one each to the first subsets (torch's rule).
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> base,
                                                  const std::vector<double>& fractions, uint64_t seed);

}  // namespace eta::data
