// Core microbenchmarks: eta's matmul against raw cblas_sgemm at MLP shapes, elementwise
// throughput (GB/s) at 1 and 2 threads across sizes, and the cost of one autograd node.
// peak_frac: GFLOP/s over this CPU's FMA peak at the same threads; bw_frac: GB/s over a memcpy
// of the same traffic (bench/peak.h). Run: ./build/bench/core_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "eta/eta.h"
#include "counters.h"

namespace {

using eta_bench::bandwidth;
using eta_bench::peak_fraction;

// M x K times K x N (ta = 1: A stored K x M and transposed, as in a weight gradient g^T x).
// eta's matmul takes kernels/broadcast_gemm.h's kernel at these shapes (B not transposed).
void BM_EtaMatmul(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  eta::set_num_threads(static_cast<int>(state.range(3)));
  const eta::Tensor a = state.range(4) ? eta::randn({k, m}).t() : eta::randn({m, k}), b = eta::randn({k, n});
  eta::NoGradGuard guard;
  for (auto _ : state) benchmark::DoNotOptimize(eta::matmul(a, b).raw_data());
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
  peak_fraction(state, 2.0 * m * n * k, static_cast<int>(state.range(3)));
}

void BM_RawSgemm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  eta::set_num_threads(static_cast<int>(state.range(3)));
  const bool ta = state.range(4) != 0;
  const eta::Tensor a = eta::randn({m, k}), b = eta::randn({k, n});  // A read as K x M when ta
  eta::Tensor c = eta::empty({m, n});
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, a.data_ptr<float>(), static_cast<int>(ta ? m : k), b.data_ptr<float>(),
                static_cast<int>(n), 0.0f,
                c.data_ptr<float>(), static_cast<int>(n));
    benchmark::DoNotOptimize(c.raw_data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
  peak_fraction(state, 2.0 * m * n * k, static_cast<int>(state.range(3)));
}

void MatmulArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2}) {
    b->Args({64, 784, 256, threads, 0});   // the MLP's first layer, as a matmul
    b->Args({64, 256, 784, threads, 0});   // its input gradient g W
    b->Args({256, 64, 784, threads, 1});   // its weight gradient g^T x
    b->Args({256, 784, 256, threads, 0});
  }
  b->ArgNames({"M", "K", "N", "threads", "ta"});
}
BENCHMARK(BM_EtaMatmul)->Apply(MatmulArgs);
BENCHMARK(BM_RawSgemm)->Apply(MatmulArgs);

// linear() = x W^T + b, the forward of every Linear layer: a product eta leaves to OpenBLAS (B
// transposed), which it runs as one single-threaded call per thread on a slice of the output
// (kernels/blas.cpp). Shapes: the MLP's first layer at batch 64 and at an inference batch of
// 1000, its second layer at 1000, LeNet-5's first classifier layer, the small CNN's classifier.
void BM_LinearForward(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  eta::set_num_threads(static_cast<int>(state.range(3)));
  const eta::Tensor x = eta::randn({m, k}), w = eta::randn({n, k}), b = eta::randn({n});
  eta::NoGradGuard guard;
  for (auto _ : state) benchmark::DoNotOptimize(eta::linear(x, w, b).raw_data());
  peak_fraction(state, 2.0 * m * n * k, static_cast<int>(state.range(3)));
}
BENCHMARK(BM_LinearForward)
    ->ArgNames({"M", "N", "K", "threads"})
    ->ArgsProduct({{64}, {256}, {784}, {1, 2}})
    ->Args({1000, 256, 784, 2})
    ->Args({1000, 128, 256, 2})
    ->Args({64, 120, 400, 2})
    ->Args({64, 10, 3136, 2})
    ->Unit(benchmark::kMicrosecond);

// The MLP step's GEMM floor (issue 16: the step within 1.2x of it): the raw sgemm calls of one
// training step of the 784-256-128-10 MLP at batch 64, with the transposes eta passes — per layer
// (in -> out) the forward x·Wᵀ, the weight gradient gᵀ·x and, but for the first layer, the input
// gradient g·W. Compare with nn_bench's BM_MlpTrainStep at the same threads.
void BM_MlpStepGemmFloor(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(0)));
  const int batch = 64;
  const std::vector<std::pair<int, int>> layers = {{784, 256}, {256, 128}, {128, 10}};
  std::vector<eta::Tensor> x, w, g, out;
  for (const auto& [in, o] : layers) {
    x.push_back(eta::randn({batch, in}));
    w.push_back(eta::randn({o, in}));
    g.push_back(eta::randn({batch, o}));
    out.push_back(eta::empty({std::max(batch, o), std::max(in, o)}));
  }
  double flops = 0;
  for (auto _ : state) {
    flops = 0;
    for (size_t l = 0; l < layers.size(); ++l) {
      const int in = layers[l].first, o = layers[l].second;
      float* c = out[l].data_ptr<float>();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, o, in, 1.0f, x[l].data_ptr<float>(), in,
                  w[l].data_ptr<float>(), in, 0.0f, c, o);  // forward
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, o, in, batch, 1.0f, g[l].data_ptr<float>(), o,
                  x[l].data_ptr<float>(), in, 0.0f, c, in);  // weight gradient
      flops += 4.0 * batch * in * o;
      if (l > 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, in, o, 1.0f, g[l].data_ptr<float>(), o,
                    w[l].data_ptr<float>(), in, 0.0f, c, in);  // input gradient
        flops += 2.0 * batch * in * o;
      }
      benchmark::DoNotOptimize(c);
    }
  }
  peak_fraction(state, flops, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_MlpStepGemmFloor)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Bytes moved: two reads and one write of float32 per element for add, one read + one write for relu.
void BM_Add(benchmark::State& state) {
  const int64_t n = state.range(0);
  eta::set_num_threads(static_cast<int>(state.range(1)));
  const eta::Tensor a = eta::randn({n}), b = eta::randn({n});
  for (auto _ : state) benchmark::DoNotOptimize(eta::add(a, b).raw_data());
  bandwidth(state, 12.0 * n, static_cast<int>(state.range(1)));
}

void BM_Relu(benchmark::State& state) {
  const int64_t n = state.range(0);
  eta::set_num_threads(static_cast<int>(state.range(1)));
  const eta::Tensor a = eta::randn({n});
  for (auto _ : state) benchmark::DoNotOptimize(eta::relu(a).raw_data());
  bandwidth(state, 8.0 * n, static_cast<int>(state.range(1)));
}

void ElementwiseArgs(benchmark::internal::Benchmark* b) {
  for (int64_t n : {1 << 10, 1 << 15, 1 << 17, 1 << 20, 1 << 24})
    for (int threads : {1, 2}) b->Args({n, threads});
  b->ArgNames({"n", "threads"});
}
BENCHMARK(BM_Add)->Apply(ElementwiseArgs);
BENCHMARK(BM_Relu)->Apply(ElementwiseArgs);

// One recorded op on a 1-element tensor, forward plus backward: the autograd bookkeeping cost.
void BM_AutogradNode(benchmark::State& state) {
  eta::set_num_threads(1);
  eta::Tensor x = eta::ones({1}).requires_grad_();
  for (auto _ : state) {
    eta::Tensor y = eta::mul(x, x);
    y.backward();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AutogradNode);

}  // namespace

BENCHMARK_MAIN();
