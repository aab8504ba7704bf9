// DataLoader: turns an MnistDataset into float32 image batches and int64 label batches, with
// seeded shuffling whose order is a pure function of (seed, epoch), drop_last and normalisation.
// Produces plain tensors (no autograd); it neither owns nor copies the data set.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "eta/data/mnist.h"
#include "eta/tensor/tensor.h"

namespace eta::data {

// Fashion-MNIST's training-set pixel statistics (on [0, 1]); MNIST's are 0.1307 and 0.3081.
inline constexpr double kFashionMnistMean = 0.2860;
inline constexpr double kFashionMnistStd = 0.3530;
inline constexpr double kMnistMean = 0.1307;
inline constexpr double kMnistStd = 0.3081;

struct DataLoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;  // drop a last batch smaller than batch_size
  bool normalize = true;   // pixel/255 then (x - mean) / std; otherwise pixel/255 only
  double mean = kFashionMnistMean;
  double std = kFashionMnistStd;
  bool flatten = false;  // images as [B, rows*cols] (for an MLP) instead of [B, 1, rows, cols]
};

struct Batch {
  Tensor images;      // float32 [B, 1, rows, cols], or [B, rows*cols] when flattened
  Tensor labels;      // int64 [B]
  int64_t index = 0;  // position of this batch within its epoch
};

// Everything that decides which batch comes next: the shuffle seed, the epoch and how many of its
// batches were already handed out. The shuffling generator is reseeded from (seed, epoch) at each
// epoch, so these three integers are its whole state; a run restored from them sees the same data
// order as one never interrupted.
struct DataLoaderState {
  uint64_t seed = 0;
  int64_t epoch = 0;
  int64_t position = 0;

  // "seed=1 epoch=2 position=0", for a checkpoint's string metadata; parse() reads it back and
  // throws eta::Error on anything else.
  std::string to_string() const;
  static DataLoaderState parse(const std::string& text);
  bool operator==(const DataLoaderState&) const = default;
};

class DataLoader {
 public:
  // `dataset` must outlive the loader. Starts at epoch 0, position 0.
  explicit DataLoader(const MnistDataset& dataset, DataLoaderOptions options = {});

  int64_t num_batches() const;  // per epoch, after drop_last
  int64_t num_samples() const;  // per epoch, after drop_last
  const DataLoaderOptions& options() const { return options_; }
  const MnistDataset& dataset() const { return *dataset_; }

  // The sample order of an epoch: a Fisher-Yates shuffle driven by a Generator seeded from
  // (seed, epoch), or 0..N-1 without shuffling. Pure: the same arguments give the same order.
  std::vector<int64_t> epoch_order(int64_t epoch) const;

  // Sequential use: set_epoch(e) starts epoch e at its first batch; next() fills `out` with the
  // next batch and returns true, or returns false once the epoch is exhausted.
  void set_epoch(int64_t epoch);
  bool next(Batch& out);
  int64_t epoch() const { return state_.epoch; }
  int64_t position() const { return state_.position; }

  DataLoaderState state() const { return state_; }
  // Continues from a saved state (seed, epoch, position); checks that the position fits this
  // loader's epoch length.
  void load_state(const DataLoaderState& state);

  // Batch `index` of the current epoch without moving the position (the random-access form of next()).
  Batch batch(int64_t index);

 private:
  void ensure_order();
  void fill(Batch& out, int64_t index) const;

  const MnistDataset* dataset_;
  DataLoaderOptions options_;
  DataLoaderState state_;
  std::vector<int64_t> order_;   // order of state_.epoch, valid when order_epoch_ == state_.epoch
  int64_t order_epoch_ = -1;
  float lut_[256];               // pixel value -> normalised float, rounded once from double
};

}  // namespace eta::data
