// Optimizer step time for 1M float32 parameters (one tensor, gradient fixed), SGD with momentum and
// Adam, at 1 and 2 threads; also a 4096-element case that stays on one thread by design.
// Run: ./build/bench/optim_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <memory>

#include "eta/eta.h"

namespace {

std::unique_ptr<eta::optim::Optimizer> make(int which, const eta::Tensor& p) {
  if (which == 0) return std::make_unique<eta::optim::SGD>(std::vector<eta::Tensor>{p}, eta::optim::SGDOptions{.lr = 0.01, .momentum = 0.9});
  return std::make_unique<eta::optim::Adam>(std::vector<eta::Tensor>{p});
}

// Args: optimizer (0 SGD momentum, 1 Adam), number of parameters, threads.
void BM_OptimizerStep(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const int64_t n = state.range(1);
  eta::set_num_threads(static_cast<int>(state.range(2)));
  eta::Generator gen(1);
  eta::Tensor p = eta::randn({n}, eta::kFloat32, gen).requires_grad_();
  p.set_grad(eta::randn({n}, eta::kFloat32, gen).mul_(1e-3));
  auto opt = make(which, p);
  opt->step();  // allocate the state outside the timed loop
  for (auto _ : state) {
    opt->step();
    benchmark::DoNotOptimize(p.raw_data());
  }
  state.SetLabel(which == 0 ? "SGD momentum" : "Adam");
  // Bytes touched per step: SGD reads p, g, buf and writes p, buf; Adam reads p, g, m, v, writes p, m, v.
  const double bytes = static_cast<double>(n) * 4 * (which == 0 ? 5 : 7);
  state.counters["GB/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_OptimizerStep)
    ->ArgNames({"opt", "n", "threads"})
    ->Args({0, 1 << 20, 1})
    ->Args({0, 1 << 20, 2})
    ->Args({1, 1 << 20, 1})
    ->Args({1, 1 << 20, 2})
    ->Args({0, 4096, 2})
    ->Args({1, 4096, 2})
    ->Unit(benchmark::kMicrosecond);

// Every optimizer by name at its defaults (lr 0.01), 1M parameters, 1 thread: the update loops vectorise
// (optim::detail::with_flags), so each should run near memory speed.
const char* const kOptimizers[] = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"};

void BM_EveryOptimizerStep(benchmark::State& state) {
  const char* name = kOptimizers[state.range(0)];
  const int64_t n = 1 << 20;
  eta::set_num_threads(1);
  eta::Generator gen(1);
  eta::Tensor p = eta::randn({n}, eta::kFloat32, gen).requires_grad_();
  p.set_grad(eta::randn({n}, eta::kFloat32, gen).mul_(1e-3));
  auto opt = eta::optim::make_optimizer(name, {p}, {{"lr", "0.01"}});  // defaults, lr 0.01 (SGD has none)
  opt->step();
  for (auto _ : state) {
    opt->step();
    benchmark::DoNotOptimize(p.raw_data());
  }
  state.SetLabel(name);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_EveryOptimizerStep)->DenseRange(0, 8)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
