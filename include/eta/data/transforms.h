// Transforms: per-example changes a DataLoader applies to a batch's inputs after gathering them —
// per-channel Normalize, RandomCrop with padding, RandomHorizontalFlip, and Standardize for tables.
// A random transform draws only from the Generator it is handed; the loader seeds that generator
// from (seed, epoch, position of the example in the epoch), so augmented batches are a pure
// function of those and repeat and resume exactly, with or without prefetching.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eta/data/dataset.h"
#include "eta/tensor/generator.h"
#include "eta/tensor/tensor.h"

namespace eta::data {

class Transform {
 public:
  virtual ~Transform() = default;
  virtual std::string name() const = 0;
  // The shape of one transformed example; throws eta::Error naming the transform when `in` does not
  // suit it (e.g. a crop larger than the padded image).
  virtual Shape output_shape(const Shape& in) const { return in; }
  // Transforms one contiguous example `in` of shape `shape` into `out` (output_shape(shape)
  // elements; never the same buffer as `in`). float32 and float64 inputs.
  virtual void apply(const float* in, float* out, const Shape& shape, Generator& gen) const = 0;
  virtual void apply(const double* in, double* out, const Shape& shape, Generator& gen) const = 0;
};

using TransformList = std::vector<std::shared_ptr<const Transform>>;

// Per-channel mean and population standard deviation of a data set's inputs, channel = the first
// dimension of an example ([C, H, W] images: per colour; [F] tables: per feature). Accumulated in
// double over the whole set in a fixed order.
struct ChannelStats {
  std::vector<double> mean, std;
};
ChannelStats channel_stats(const Dataset& dataset);

// (x - mean[c]) / std[c] for every element of channel c. One mean and std apply to every channel.
class Normalize : public Transform {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std);
  // Statistics of `dataset` (its training half): channel_stats with a std of 0 refused.
  static std::shared_ptr<Normalize> fit(const Dataset& dataset);

  std::string name() const override;
  Shape output_shape(const Shape& in) const override;
  void apply(const float* in, float* out, const Shape& shape, Generator& gen) const override;
  void apply(const double* in, double* out, const Shape& shape, Generator& gen) const override;
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& std() const { return std_; }

 private:
  template <class T> void run(const T* in, T* out, const Shape& shape) const;
  std::vector<double> mean_, std_;
};

// Normalize for tables, fitted on the training set and saved with the model: a feature whose
// training values are all equal gets std 1 (it becomes 0, not NaN). state() gives its statistics
// as float64 tensors "<prefix>mean" and "<prefix>std" for a checkpoint's extra tensors or a
// safetensors file; from_state() rebuilds it to apply to test data.
class Standardize : public Normalize {
 public:
  using Normalize::Normalize;
  static std::shared_ptr<Standardize> fit(const Dataset& train);
  std::string name() const override;
  std::map<std::string, Tensor> state(const std::string& prefix = "standardize.") const;
  static std::shared_ptr<Standardize> from_state(const std::map<std::string, Tensor>& tensors,
                                                  const std::string& prefix = "standardize.");
};

// Pads an image [C, H, W] by `padding` on every side with `fill`, then takes a random
// height x width window (torchvision's RandomCrop(size, padding)).
class RandomCrop : public Transform {
 public:
  RandomCrop(int64_t height, int64_t width, int64_t padding = 0, double fill = 0);
  std::string name() const override;
  Shape output_shape(const Shape& in) const override;
  void apply(const float* in, float* out, const Shape& shape, Generator& gen) const override;
  void apply(const double* in, double* out, const Shape& shape, Generator& gen) const override;

 private:
  template <class T> void run(const T* in, T* out, const Shape& shape, Generator& gen) const;
  int64_t height_, width_, padding_;
  double fill_;
};

// Mirrors an image [C, H, W] left to right with probability p.
class RandomHorizontalFlip : public Transform {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
  std::string name() const override;
  Shape output_shape(const Shape& in) const override;
  void apply(const float* in, float* out, const Shape& shape, Generator& gen) const override;
  void apply(const double* in, double* out, const Shape& shape, Generator& gen) const override;

 private:
  template <class T> void run(const T* in, T* out, const Shape& shape, Generator& gen) const;
  double p_;
};

}  // namespace eta::data
