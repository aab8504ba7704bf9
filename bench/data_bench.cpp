// Data-loader throughput: images per second for MNIST-shaped batches (uint8 -> float32, Normalize)
// and CIFAR-10-shaped batches with augmentation (RandomCrop with padding 4, RandomHorizontalFlip,
// Normalize), at 1 and 2 threads and with 0 or 1 prefetching workers; and a LeNet-5 training epoch
// fed with and without a prefetching worker. Synthetic data of the real shapes, so nothing needs to
// be installed. Run: ./build/bench/data_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "eta/eta.h"
#include "eta/data/cifar10.h"
#include "models/lenet5.h"

namespace {

using namespace eta;

data::MnistDataset synthetic_mnist(int64_t n) {
  Generator gen(1);
  data::IdxArray images{{n, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(n * 784))};
  data::IdxArray labels{{n}, std::vector<uint8_t>(static_cast<size_t>(n))};
  for (auto& p : images.data) p = static_cast<uint8_t>(gen.next_below(256));
  for (auto& l : labels.data) l = static_cast<uint8_t>(gen.next_below(10));
  return data::MnistDataset(std::move(images), std::move(labels));
}

const data::MnistDataset& mnist() {
  static const data::MnistDataset d = synthetic_mnist(60000);
  return d;
}

data::TransformList mnist_transforms() {
  return {std::make_shared<data::Normalize>(std::vector<double>{data::kFashionMnistMean},
                                            std::vector<double>{data::kFashionMnistStd})};
}

// One pass over `batches` batches of a loader; reports images/s.
void run_loader(benchmark::State& state, const data::Dataset& d, data::DataLoaderOptions o, int64_t batches) {
  set_num_threads(static_cast<int>(state.range(0)));
  o.num_workers = state.range(1);
  data::DataLoader loader(d, o);
  int64_t epoch = 0, images = 0;
  for (auto _ : state) {
    loader.set_epoch(epoch++);
    data::Batch b;
    for (int64_t i = 0; i < batches && loader.next(b); ++i) images += b.input.size(0);
    benchmark::DoNotOptimize(b.input.raw_data());
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}

void BM_LoaderMnist(benchmark::State& state) {
  run_loader(state, mnist(), {.batch_size = 64, .transforms = mnist_transforms()}, 200);
}
BENCHMARK(BM_LoaderMnist)->ArgNames({"threads", "workers"})->Args({1, 0})->Args({2, 0})->Args({1, 1})->Args({2, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

const data::Cifar10Dataset& cifar() {
  static const data::Cifar10Dataset d = [] {
    Generator gen(2);
    data::Cifar10Records r;
    r.pixels.resize(10000 * 3072);
    r.labels.resize(10000);
    for (auto& p : r.pixels) p = static_cast<uint8_t>(gen.next_below(256));
    for (auto& l : r.labels) l = static_cast<uint8_t>(gen.next_below(10));
    return data::Cifar10Dataset(std::move(r), {});
  }();
  return d;
}

// CIFAR-10 as train_images feeds it: crop with padding 4, flip, per-channel normalisation.
void BM_LoaderCifarAugmented(benchmark::State& state) {
  const data::TransformList t{std::make_shared<data::RandomCrop>(32, 32, 4), std::make_shared<data::RandomHorizontalFlip>(),
                              std::make_shared<data::Normalize>(std::vector<double>{0.49, 0.48, 0.45},
                                                                std::vector<double>{0.25, 0.24, 0.26})};
  run_loader(state, cifar(), {.batch_size = 64, .transforms = t}, 100);
}
BENCHMARK(BM_LoaderCifarAugmented)->ArgNames({"threads", "workers"})->Args({1, 0})->Args({2, 0})->Args({1, 1})->Args({2, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// LeNet-5 on CIFAR-10-shaped batches (3x32x32), for the loader's 10x margin.
void BM_LeNetCifarSteps(benchmark::State& state) {
  set_num_threads(static_cast<int>(state.range(0)));
  manual_seed(0);
  models::LeNet5 model(models::ImageShape{3, 32, 32});
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  const Tensor x = randn({64, 3, 32, 32});
  const Tensor y = zeros({64}, kInt64);
  int64_t images = 0;
  for (auto _ : state) {
    opt.zero_grad();
    cross_entropy(model.forward(x), y).backward();
    opt.step();
    images += 64;
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LeNetCifarSteps)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// A LeNet-5 epoch over 6,400 images (batch 64), the batches assembled on the training thread
// (workers 0) or by a prefetching worker (workers 1).
void BM_LeNetEpoch(benchmark::State& state) {
  set_num_threads(static_cast<int>(state.range(0)));
  static const data::MnistDataset d = mnist().slice(0, 6400);
  manual_seed(0);
  models::LeNet5 model;
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  data::DataLoader loader(d, {.batch_size = 64, .transforms = mnist_transforms(), .num_workers = state.range(1)});
  int64_t epoch = 0, images = 0;
  for (auto _ : state) {
    loader.set_epoch(epoch++);
    for (data::Batch b; loader.next(b);) {
      opt.zero_grad();
      cross_entropy(model.forward(b.input), b.target).backward();
      opt.step();
      images += b.input.size(0);
    }
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LeNetEpoch)->ArgNames({"threads", "workers"})->Args({1, 0})->Args({1, 1})->Args({2, 0})->Args({2, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
