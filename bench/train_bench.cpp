// The Trainer's overhead over a hand-written loop: one epoch of the MLP 784-256-128-10 (Adam,
// batch 64, 200 batches, a float32 TensorDataset) both ways, and one training step with autograd's
// anomaly mode off and on. Run alternated, 1 thread:
//   ./build/bench/train_bench --benchmark_repetitions=7 --benchmark_enable_random_interleaving=true
#include <benchmark/benchmark.h>

#include "eta/eta.h"
#include "models/mlp.h"

namespace {

using namespace eta;

const data::TensorDataset& mnist_like() {
  static const data::TensorDataset d(randn({200 * 64, 784}), zeros({200 * 64}, kInt64), 10);
  return d;
}

void BM_MlpEpochHandWritten(benchmark::State& state) {
  set_num_threads(1);
  manual_seed(0);
  models::MLP model({784, 256, 128, 10});
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  data::DataLoader loader(mnist_like(), {.batch_size = 64});
  int64_t epoch = 0;
  for (auto _ : state) {
    loader.set_epoch(epoch++);
    for (data::Batch b; loader.next(b);) {
      opt.zero_grad();
      const Tensor loss = cross_entropy(model.forward(b.input), b.target);
      ETA_CHECK(std::isfinite(loss.item()), "diverged");
      loss.backward();
      opt.step();
    }
  }
}
BENCHMARK(BM_MlpEpochHandWritten)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MlpEpochTrainer(benchmark::State& state) {
  set_num_threads(1);
  manual_seed(0);
  models::MLP model({784, 256, 128, 10});
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  data::DataLoader loader(mnist_like(), {.batch_size = 64});
  train::Trainer trainer(model, opt, loader, {.epochs = 1 << 30});
  struct OneEpoch : train::Callback {  // fit() returns after every epoch
    std::string name() const override { return "one_epoch"; }
    void on_epoch_end(train::Trainer& t, const train::EpochInfo&) override { t.stop("bench"); }
  };
  trainer.add(std::make_shared<OneEpoch>());
  for (auto _ : state) trainer.fit();
}
BENCHMARK(BM_MlpEpochTrainer)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MlpStepAnomaly(benchmark::State& state) {
  set_num_threads(1);
  manual_seed(0);
  models::MLP model({784, 256, 128, 10});
  const Tensor x = randn({64, 784});
  const Tensor y = zeros({64}, kInt64);
  autograd::DetectAnomalyGuard anomaly(state.range(0) != 0);
  for (auto _ : state) {
    model.zero_grad();
    cross_entropy(model.forward(x), y).backward();
  }
}
BENCHMARK(BM_MlpStepAnomaly)->ArgName("anomaly")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
