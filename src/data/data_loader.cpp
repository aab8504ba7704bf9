// DataLoader: samplers, the distributed slice of each global batch, batch assembly (gather, then
// per-example transforms with generators seeded from (seed, epoch, position)) and the choice
// between assembling on the caller's thread and prefetching on workers (prefetcher.h).
#include "eta/data/data_loader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <sstream>

#include "eta/error.h"
#include "eta/tensor/generator.h"
#include "kernels/parallel.h"
#include "prefetcher.h"
#include "util/mix64.h"

namespace eta::data {

namespace {

using util::mix64;

// Mixed so that neighbouring seeds and epochs give unrelated generator seeds. The shuffle's stream
// is unchanged from the MNIST-only loader, so existing runs keep their data order.
uint64_t shuffle_seed(uint64_t seed, int64_t epoch) {
  return mix64(mix64(seed) ^ mix64(static_cast<uint64_t>(epoch) + 0x632be59bd9b4e019ULL));
}

// The augmentation stream of the example at `position` of an epoch: independent of the batch it
// falls in, of the rank that takes it and of the thread that transforms it.
uint64_t example_seed(uint64_t seed, int64_t epoch, int64_t position) {
  return mix64(shuffle_seed(seed ^ 0x9e3779b97f4a7c15ULL, epoch) ^ mix64(static_cast<uint64_t>(position)));
}

Shape with_batch(int64_t n, const Shape& s) {
  Shape out{n};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Examples per thread below which splitting a batch's assembly costs more than it saves.
constexpr int64_t kParallelElements = 1 << 16;

}  // namespace

std::vector<int64_t> SequentialSampler::order(int64_t n, uint64_t, int64_t) const {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  return order;
}

std::vector<int64_t> RandomSampler::order(int64_t n, uint64_t seed, int64_t epoch) const {
  std::vector<int64_t> order = SequentialSampler().order(n, seed, epoch);
  Generator gen(shuffle_seed(seed, epoch));
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(gen.next_below(static_cast<uint64_t>(i) + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

std::string DataLoaderState::to_string() const {
  return "seed=" + std::to_string(seed) + " epoch=" + std::to_string(epoch) + " position=" + std::to_string(position);
}

DataLoaderState DataLoaderState::parse(const std::string& text) {
  std::istringstream in(text);
  DataLoaderState s;
  std::string seed, epoch, position, rest;
  in >> seed >> epoch >> position;
  const bool ok = !(in >> rest) && seed.rfind("seed=", 0) == 0 && epoch.rfind("epoch=", 0) == 0 &&
                  position.rfind("position=", 0) == 0;
  ETA_CHECK(ok, "DataLoaderState::parse: expected \"seed=<n> epoch=<n> position=<n>\", got \"", text, "\"");
  auto number = [&](const std::string& field, size_t skip) -> uint64_t {
    const std::string digits = field.substr(skip);
    ETA_CHECK(!digits.empty() && digits.size() <= 20 && digits.find_first_not_of("0123456789") == std::string::npos,
              "DataLoaderState::parse: \"", field, "\" is not a non-negative integer (in \"", text, "\")");
    uint64_t v = 0;
    for (char c : digits) {
      const uint64_t d = static_cast<uint64_t>(c - '0');
      ETA_CHECK(v <= (UINT64_MAX - d) / 10, "DataLoaderState::parse: \"", field, "\" overflows");
      v = v * 10 + d;
    }
    return v;
  };
  s.seed = number(seed, 5);
  const uint64_t e = number(epoch, 6), p = number(position, 9);
  ETA_CHECK(e <= INT64_MAX && p <= INT64_MAX, "DataLoaderState::parse: epoch or position too large in \"", text, "\"");
  s.epoch = static_cast<int64_t>(e);
  s.position = static_cast<int64_t>(p);
  return s;
}

DataLoader::DataLoader(const Dataset& dataset, DataLoaderOptions options)
    : dataset_(&dataset), options_(std::move(options)), spec_(dataset.spec()) {
  const auto& o = options_;
  ETA_CHECK(o.batch_size >= 1, "DataLoader: batch_size is ", o.batch_size, ", must be at least 1");
  ETA_CHECK(o.world_size >= 1 && o.rank >= 0 && o.rank < o.world_size, "DataLoader: rank ", o.rank, " of world_size ",
            o.world_size, " is not a process of the job (need 0 <= rank < world_size)");
  ETA_CHECK(o.num_workers >= 0 && o.num_workers <= 64, "DataLoader: num_workers is ", o.num_workers,
            ", must be 0 to 64");
  ETA_CHECK(o.prefetch >= 1, "DataLoader: prefetch is ", o.prefetch, ", must be at least 1");
  example_shape_ = spec_.input_shape;
  for (const auto& t : o.transforms) {
    ETA_CHECK(t != nullptr, "DataLoader: a transform is null");
    ETA_CHECK(is_floating(spec_.input_dtype), "DataLoader: transform ", t->name(), " needs float inputs, but ",
              dataset.describe(), " has ", spec_.to_string());
    example_shape_ = t->output_shape(example_shape_);
  }
  state_.seed = o.seed;
  start_workers();
}

void DataLoader::start_workers() {
  prefetcher_.reset();  // joins the old workers before anything they read changes
  if (options_.num_workers == 0) return;
  prefetcher_ = std::make_unique<Prefetcher>(options_.num_workers, options_.num_workers * options_.prefetch,
                                             [this](const std::vector<int64_t>& order, int64_t epoch, int64_t index) {
                                               return assemble(order, epoch, index, /*parallel=*/false);
                                             });
}

// The workers call assemble(), which reads the options: they must stop before the members go.
DataLoader::~DataLoader() { prefetcher_.reset(); }

int64_t DataLoader::num_samples() const {
  const Sampler* sampler = options_.sampler.get();
  const int64_t n = sampler ? sampler->length(dataset_->size()) : dataset_->size();
  return options_.drop_last ? n / options_.batch_size * options_.batch_size : n;
}

int64_t DataLoader::num_batches() const {
  const int64_t n = num_samples();
  return (n + options_.batch_size - 1) / options_.batch_size;
}

std::vector<int64_t> DataLoader::epoch_order(int64_t epoch) const {
  ETA_CHECK(epoch >= 0, "DataLoader: epoch ", epoch, " is negative");
  const int64_t n = dataset_->size();
  std::vector<int64_t> order;
  if (options_.sampler) {
    order = options_.sampler->order(n, state_.seed, epoch);
    ETA_CHECK(static_cast<int64_t>(order.size()) == options_.sampler->length(n), "DataLoader: the sampler gave ",
              order.size(), " indices, but its length() says ", options_.sampler->length(n));
  } else if (options_.shuffle) {
    order = RandomSampler().order(n, state_.seed, epoch);
  } else {
    order = SequentialSampler().order(n, state_.seed, epoch);
  }
  return order;
}

void DataLoader::set_epoch(int64_t epoch) {
  ETA_CHECK(epoch >= 0, "DataLoader::set_epoch: epoch ", epoch, " is negative");
  state_.epoch = epoch;
  state_.position = 0;
}

void DataLoader::load_state(const DataLoaderState& state) {
  ETA_CHECK(state.epoch >= 0 && state.position >= 0 && state.position <= num_batches(),
            "DataLoader::load_state: ", state.to_string(), " does not fit this loader (", num_batches(),
            " batches per epoch)");
  const bool reseeded = state.seed != state_.seed;
  if (reseeded) prefetcher_.reset();  // workers read the seed
  state_ = state;
  order_epoch_ = -1;  // the seed may differ from the cached order's
  if (reseeded) start_workers();
}

std::shared_ptr<const std::vector<int64_t>> DataLoader::order_for(int64_t epoch) {
  if (order_epoch_ != epoch || !order_) {
    order_ = std::make_shared<const std::vector<int64_t>>(epoch_order(epoch));
    order_epoch_ = epoch;
  }
  return order_;
}

bool DataLoader::next(Batch& out) {
  if (state_.position >= num_batches()) return false;
  out = batch(state_.position);
  ++state_.position;
  return true;
}

Batch DataLoader::batch(int64_t index) {
  ETA_CHECK(index >= 0 && index < num_batches(), "DataLoader::batch: index ", index, " out of range for ",
            num_batches(), " batches");
  const auto order = order_for(state_.epoch);
  if (prefetcher_) return prefetcher_->take(order, state_.epoch, index, num_batches());
  return assemble(*order, state_.epoch, index, /*parallel=*/true);
}

Batch DataLoader::assemble(const std::vector<int64_t>& order, int64_t epoch, int64_t index, bool parallel) const {
  const int64_t B = options_.batch_size, W = options_.world_size, r = options_.rank;
  const int64_t begin = index * B;
  const int64_t global = std::min(B, num_samples() - begin);
  // This rank's contiguous slice of the global batch.
  const int64_t base = global / W, extra = global % W;
  const int64_t lo = r * base + std::min(r, extra);
  const int64_t n = base + (r < extra ? 1 : 0);
  const int64_t* indices = order.data() + begin + lo;

  Batch out;
  out.index = index;
  out.global_size = global;
  out.target = empty(with_batch(n, spec_.target_shape), spec_.target_dtype);
  Tensor input = empty(with_batch(n, spec_.input_shape), spec_.input_dtype);
  const int64_t per_example = std::max<int64_t>(1, spec_.input_numel());
  kernels::parallel_for(0, n, parallel ? std::max<int64_t>(1, kParallelElements / per_example) : n + 1,
                        [&](int64_t b, int64_t e) {
                          Tensor in = input.slice(0, b, e), tg = out.target.slice(0, b, e);
                          dataset_->gather(indices + b, e - b, in, tg);
                        });
  if (!options_.transforms.empty()) transform(input, epoch, begin + lo, parallel);
  out.input = input;
  return out;
}

namespace {

// Runs every transform over examples [b, e) of `in` into `out`, through two scratch buffers.
template <class T>
void transform_range(const TransformList& transforms, const Shape& in_shape, const Shape& out_shape, const T* in,
                     T* out, int64_t b, int64_t e, uint64_t seed, int64_t epoch, int64_t first_position) {
  int64_t largest = numel_of(in_shape);
  Shape s = in_shape;
  for (const auto& t : transforms) largest = std::max(largest, numel_of(s = t->output_shape(s)));
  std::vector<T> ping(static_cast<size_t>(largest)), pong(static_cast<size_t>(largest));
  const int64_t in_numel = numel_of(in_shape), out_numel = numel_of(out_shape);
  for (int64_t k = b; k < e; ++k) {
    Generator gen(example_seed(seed, epoch, first_position + k));
    const T* src = in + k * in_numel;
    Shape shape = in_shape;
    for (size_t i = 0; i < transforms.size(); ++i) {
      T* dst = i + 1 == transforms.size() ? out + k * out_numel : (i % 2 ? pong.data() : ping.data());
      transforms[i]->apply(src, dst, shape, gen);
      shape = transforms[i]->output_shape(shape);
      src = dst;
    }
  }
}

}  // namespace

void DataLoader::transform(Tensor& input, int64_t epoch, int64_t first_position, bool parallel) const {
  const int64_t n = input.size(0);
  Tensor out = empty(with_batch(n, example_shape_), input.dtype());
  const int64_t grain = parallel ? std::max<int64_t>(1, kParallelElements / std::max<int64_t>(1, numel_of(example_shape_))) : n + 1;
  kernels::parallel_for(0, n, grain, [&](int64_t b, int64_t e) {
    if (input.dtype() == kFloat32)
      transform_range(options_.transforms, spec_.input_shape, example_shape_, input.data_ptr<float>(),
                      out.data_ptr<float>(), b, e, state_.seed, epoch, first_position);
    else
      transform_range(options_.transforms, spec_.input_shape, example_shape_, input.data_ptr<double>(),
                      out.data_ptr<double>(), b, e, state_.seed, epoch, first_position);
  });
  input = out;
}

}  // namespace eta::data
