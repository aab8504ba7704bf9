// DataLoader: batches any Dataset — shuffling whose order is a pure function of (seed, epoch),
// drop_last, per-example transforms, a distributed slice of every global batch for data-parallel
// runs, a resumable cursor and optional prefetching on background threads. Every batch is a pure
// function of (seed, epoch, batch index), so results are bit-identical with or without workers.
// Produces plain tensors (no autograd); it neither owns nor copies the data set.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eta/data/dataset.h"
#include "eta/data/transforms.h"
#include "eta/tensor/tensor.h"

namespace eta::data {

// Fashion-MNIST's training-set pixel statistics (on [0, 1]), for Normalize when the statistics
// should not be recomputed (Normalize::fit computes them for any data set).
inline constexpr double kFashionMnistMean = 0.2860;
inline constexpr double kFashionMnistStd = 0.3530;

// The order in which an epoch visits a data set of n examples. Must be a pure function of its
// arguments (resume and prefetching rely on it); the order may repeat or skip examples.
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::vector<int64_t> order(int64_t n, uint64_t seed, int64_t epoch) const = 0;
  virtual int64_t length(int64_t n) const { return n; }  // order(n, ...).size()
};

// 0, 1, ..., n-1 every epoch.
class SequentialSampler : public Sampler {
 public:
  std::vector<int64_t> order(int64_t n, uint64_t seed, int64_t epoch) const override;
};

// A Fisher-Yates shuffle driven by a Generator seeded from (seed, epoch).
class RandomSampler : public Sampler {
 public:
  std::vector<int64_t> order(int64_t n, uint64_t seed, int64_t epoch) const override;
};

struct DataLoaderOptions {
  int64_t batch_size = 64;  // the global batch when world_size > 1
  bool shuffle = true;      // RandomSampler; false: SequentialSampler
  uint64_t seed = 0;
  bool drop_last = false;   // drop a last batch smaller than batch_size
  TransformList transforms = {};            // applied in order to each example's input
  std::shared_ptr<const Sampler> sampler = nullptr;  // overrides `shuffle` when set
  // The distributed sampler: process `rank` of `world_size` takes a contiguous slice of every
  // global batch (sizes differ by at most one; the first batch_size % world_size ranks take one
  // more), so every rank runs the same number of steps and the slices cover each batch once.
  int64_t rank = 0;
  int64_t world_size = 1;
  // Background threads assembling batches ahead of next(); 0 assembles them on the caller's thread
  // (in parallel over examples there). `prefetch` batches in flight per worker.
  int64_t num_workers = 0;
  int64_t prefetch = 2;
};

struct Batch {
  Tensor input;             // [b, example shape after the transforms]
  Tensor target;            // [b, target shape]
  int64_t index = 0;        // position of this batch within its epoch
  int64_t global_size = 0;  // examples in the whole (global) batch: b on one process
};

// Everything that decides which batch comes next: the seed, the epoch and how many of its batches
// were already handed out. Orders and augmentations are pure functions of (seed, epoch, position),
// so these three integers are the loader's whole state; a run restored from them sees the same
// batches, bit for bit, as one never interrupted.
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

class Prefetcher;

class DataLoader {
 public:
  // `dataset` must outlive the loader. Starts at epoch 0, position 0. Checks the options and that
  // the transforms suit the data set's examples.
  explicit DataLoader(const Dataset& dataset, DataLoaderOptions options = {});
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  int64_t num_batches() const;  // per epoch, after drop_last (the same on every rank)
  int64_t num_samples() const;  // per epoch over all ranks, after drop_last
  const DataLoaderOptions& options() const { return options_; }
  const Dataset& dataset() const { return *dataset_; }
  // The shape of one example's input after the transforms.
  const Shape& example_shape() const { return example_shape_; }

  // The sample order of an epoch (the sampler's). Pure: the same arguments give the same order.
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
  void start_workers();
  std::shared_ptr<const std::vector<int64_t>> order_for(int64_t epoch);
  Batch assemble(const std::vector<int64_t>& order, int64_t epoch, int64_t index, bool parallel) const;
  void transform(Tensor& input, int64_t epoch, int64_t first_position, bool parallel) const;

  const Dataset* dataset_;
  DataLoaderOptions options_;
  ExampleSpec spec_;
  Shape example_shape_;
  DataLoaderState state_;
  std::shared_ptr<const std::vector<int64_t>> order_;  // order of order_epoch_
  int64_t order_epoch_ = -1;
  std::unique_ptr<Prefetcher> prefetcher_;
};

}  // namespace eta::data
