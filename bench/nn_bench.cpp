// nn microbenchmarks: conv2d forward+backward at LeNet-5's shapes (batch 64), pooling, softmax +
// cross-entropy, and one full LeNet-5 / SmallCNN / MLP training step (forward, backward, SGD update), each
// at 1 and 2 threads. peak_frac: GFLOP/s over this CPU's FMA peak at the same threads; bw_frac:
// GB/s over a memcpy of the same traffic (bench/peak.h). Run: ./build/bench/nn_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "eta/eta.h"
#include "counters.h"
#include "models/lenet5.h"
#include "models/mlp.h"
#include "models/small_cnn.h"

namespace {

using eta_bench::bandwidth;
using eta_bench::peak_fraction;

// (C, OC, H, K, padding): LeNet's conv1 (1->6 5x5 on 28x28, pad 2) and conv2 (6->16 5x5 on
// 14x14); SmallCNN's 3x3 convolutions (1->32 on 28x28, 32->32 on 14x14, 32->64 on 7x7, pad 1).
void BM_Conv2dForwardBackward(benchmark::State& state) {
  const int64_t c = state.range(0), oc = state.range(1), h = state.range(2), k = state.range(3), pad = state.range(4);
  eta::set_num_threads(static_cast<int>(state.range(5)));
  eta::Tensor x = eta::randn({64, c, h, h}).requires_grad_();
  eta::Tensor w = eta::randn({oc, c, k, k}).requires_grad_();
  eta::Tensor b = eta::zeros({oc}).requires_grad_();
  const int64_t oh = h + 2 * pad - k + 1;
  for (auto _ : state) {
    eta::Tensor y = eta::conv2d(x, w, b, {1, 1}, {pad, pad});
    y.backward(eta::ones(y.shape()));
    x.zero_grad(), w.zero_grad(), b.zero_grad();
  }
  // forward + input grad + weight grad: three GEMMs of 2*N*OC*OH*OW*C*K*K flops each
  const double flops = 3.0 * 2 * 64 * oc * oh * oh * c * k * k;
  state.counters["GFLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  peak_fraction(state, flops, static_cast<int>(state.range(5)));
}
BENCHMARK(BM_Conv2dForwardBackward)
    ->ArgNames({"C", "OC", "H", "K", "pad", "threads"})
    ->Args({1, 6, 28, 5, 2, 1})->Args({1, 6, 28, 5, 2, 2})
    ->Args({6, 16, 14, 5, 0, 1})->Args({6, 16, 14, 5, 0, 2})
    ->Args({1, 32, 28, 3, 1, 1})->Args({1, 32, 28, 3, 1, 2})
    ->Args({32, 32, 14, 3, 1, 1})->Args({32, 32, 14, 3, 1, 2})
    ->Args({32, 64, 7, 3, 1, 1})->Args({32, 64, 7, 3, 1, 2})
    ->Unit(benchmark::kMicrosecond);

// One direction of a convolution alone, on one thread or two: part 0 the forward, 1 the input
// gradient, 2 the weight (+ bias) gradient. The gradients are timed from a retained graph, so
// no forward is in them; a training step needs no input gradient for a first layer (C = 1).
void BM_Conv2dPart(benchmark::State& state) {
  const int64_t c = state.range(0), oc = state.range(1), h = state.range(2), k = state.range(3), pad = state.range(4);
  const int64_t part = state.range(5);
  eta::set_num_threads(static_cast<int>(state.range(6)));
  eta::Tensor x = eta::randn({64, c, h, h}).requires_grad_(part == 1);
  eta::Tensor w = eta::randn({oc, c, k, k}).requires_grad_(part == 2);
  eta::Tensor b = eta::zeros({oc}).requires_grad_(part == 2);
  eta::Tensor y = eta::conv2d(x, w, b, {1, 1}, {pad, pad});
  const eta::Tensor g = eta::ones(y.shape());
  for (auto _ : state) {
    if (part == 0) {
      eta::NoGradGuard no_grad;
      benchmark::DoNotOptimize(eta::conv2d(x, w, b, {1, 1}, {pad, pad}));
    } else {
      benchmark::DoNotOptimize(eta::autograd::grad({y}, {part == 1 ? x : w}, {g}, true));
    }
  }
  const int64_t oh = h + 2 * pad - k + 1;
  const double flops = 2.0 * 64 * oc * oh * oh * c * k * k;
  state.counters["GFLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  peak_fraction(state, flops, static_cast<int>(state.range(6)));
}
BENCHMARK(BM_Conv2dPart)
    ->ArgNames({"C", "OC", "H", "K", "pad", "part", "threads"})
    ->ArgsProduct({{1}, {6}, {28}, {5}, {2}, {0, 1, 2}, {1}})
    ->ArgsProduct({{6}, {16}, {14}, {5}, {0}, {0, 1, 2}, {1}})
    ->ArgsProduct({{1}, {32}, {28}, {3}, {1}, {0, 1, 2}, {1}})
    ->ArgsProduct({{32}, {32}, {14}, {3}, {1}, {0, 1, 2}, {1}})
    ->ArgsProduct({{32}, {64}, {7}, {3}, {1}, {0, 1, 2}, {1}})
    ->Unit(benchmark::kMicrosecond);

void BM_MaxPool2dForwardBackward(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(0)));
  eta::Tensor x = eta::randn({64, 6, 28, 28}).requires_grad_();
  for (auto _ : state) {
    eta::Tensor y = eta::max_pool2d(x, {2, 2});
    y.backward(eta::ones(y.shape()));
    x.zero_grad();
  }
  bandwidth(state, x.numel() * 4.0 * 2.5, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_MaxPool2dForwardBackward)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Training-mode batch norm at SmallCNN's first (largest) shape. Traffic counted as its passes'
// minimum: statistics (2 reads of x), normalisation (read x, write y), the backward's sums (read x
// and g) and input gradient (read x and g, write dx): 9 tensors' worth.
void BM_BatchNorm2dForwardBackward(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(0)));
  eta::Tensor x = eta::randn({64, 32, 28, 28}).requires_grad_();
  eta::Tensor w = eta::ones({32}).requires_grad_(), b = eta::zeros({32}).requires_grad_();
  const eta::Tensor seed = eta::ones(x.shape());
  for (auto _ : state) {
    eta::batch_norm(x, eta::Tensor(), eta::Tensor(), w, b, true).backward(seed);
    x.zero_grad(), w.zero_grad(), b.zero_grad();
  }
  bandwidth(state, x.numel() * 4.0 * 9, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_BatchNorm2dForwardBackward)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Batch norm then ReLU at the same shape, as two ops (fused:0) and as batch_norm_relu (fused:1,
// what nn::Sequential runs for BatchNorm2d -> ReLU). Traffic counted as the fused op's minimum:
// batch norm's 9 tensors plus the backward's read of the output for relu's mask.
void BM_BatchNormRelu2dForwardBackward(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(0)));
  const bool fused = state.range(1) != 0;
  eta::Tensor x = eta::randn({64, 32, 28, 28}).requires_grad_();
  eta::Tensor w = eta::ones({32}).requires_grad_(), b = eta::zeros({32}).requires_grad_();
  const eta::Tensor seed = eta::ones(x.shape());
  for (auto _ : state) {
    (fused ? eta::batch_norm_relu(x, eta::Tensor(), eta::Tensor(), w, b, true)
           : eta::relu(eta::batch_norm(x, eta::Tensor(), eta::Tensor(), w, b, true)))
        .backward(seed);
    x.zero_grad(), w.zero_grad(), b.zero_grad();
  }
  bandwidth(state, x.numel() * 4.0 * 10, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_BatchNormRelu2dForwardBackward)
    ->ArgNames({"threads", "fused"})
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

void BM_CrossEntropyForwardBackward(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(0)));
  eta::Tensor logits = eta::randn({256, 10}).requires_grad_();
  std::vector<int64_t> labels(256);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int64_t>(i % 10);
  const eta::Tensor target = eta::from_vector(labels, {256});
  for (auto _ : state) {
    eta::cross_entropy(logits, target).backward();
    logits.zero_grad();
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_CrossEntropyForwardBackward)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void sgd_step(eta::nn::Module& m, double lr) {
  eta::NoGradGuard g;
  for (eta::Tensor& p : m.parameters()) p.add_(p.grad(), -lr);
}

// A fixed random batch of `input_shape` with labels 0..9 in turn.
std::pair<eta::Tensor, eta::Tensor> bench_batch(const eta::Shape& input_shape) {
  eta::manual_seed(0);
  std::vector<int64_t> labels(static_cast<size_t>(input_shape[0]));
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int64_t>(i % 10);
  return {eta::randn(input_shape), eta::from_vector(labels, {input_shape[0]})};
}

template <class Model>
void train_step_bench(benchmark::State& state, Model& model, const eta::Shape& input_shape) {
  const auto [x, y] = bench_batch(input_shape);
  for (auto _ : state) {
    model.zero_grad();
    eta::cross_entropy(model.forward(x), y).backward();
    sgd_step(model, 0.01);
  }
  state.SetItemsProcessed(state.iterations() * input_shape[0]);
}

void BM_LeNet5TrainStep(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(1)));
  eta::models::LeNet5 model;
  train_step_bench(state, model, {state.range(0), 1, 28, 28});
  // conv1 forward + weight grad, conv2 and the three Linear layers forward + both grads
  const double per_image = 2.0 * (2 * 6 * 784 * 25 + 3 * 16 * 100 * 150 + 3 * (400 * 120 + 120 * 84 + 84 * 10));
  peak_fraction(state, per_image * static_cast<double>(state.range(0)), static_cast<int>(state.range(1)));
}
BENCHMARK(BM_LeNet5TrainStep)->ArgNames({"batch", "threads"})->Args({64, 1})->Args({64, 2})->Unit(benchmark::kMicrosecond);

void BM_SmallCnnTrainStep(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(1)));
  eta::models::SmallCNN model;
  train_step_bench(state, model, {state.range(0), 1, 28, 28});
}
BENCHMARK(BM_SmallCnnTrainStep)->ArgNames({"batch", "threads"})->Args({64, 1})->Args({64, 2})->Unit(benchmark::kMicrosecond);

void BM_MlpTrainStep(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(1)));
  eta::models::MLP model({784, 256, 128, 10});
  train_step_bench(state, model, {state.range(0), 784});
  // forward and weight grads of all three layers, input grads of the last two
  const double per_image = 2.0 * (2 * (784 * 256 + 256 * 128 + 128 * 10) + (256 * 128 + 128 * 10));
  peak_fraction(state, per_image * static_cast<double>(state.range(0)), static_cast<int>(state.range(1)));
}
BENCHMARK(BM_MlpTrainStep)->ArgNames({"batch", "threads"})->Args({64, 1})->Args({64, 2})->Unit(benchmark::kMicrosecond);

// One Hessian-vector product of the cross-entropy loss w.r.t. all parameters (double backward
// through a forward pass kept with create_graph), the unit of lr_sharpness's power iteration; compare
// with the training step above. The forward and first backward are built once, outside the loop.
template <class Model>
void hvp_bench(benchmark::State& state, Model& model, const eta::Shape& input_shape) {
  const auto batch = bench_batch(input_shape);  // (images, labels)
  const eta::train::HessianOperator h(model, [&] { return eta::cross_entropy(model.forward(batch.first), batch.second); });
  std::vector<eta::Tensor> v;
  for (const eta::Tensor& p : model.parameters()) v.push_back(eta::randn(p.shape()));
  for (auto _ : state) benchmark::DoNotOptimize(h.apply(v));
  state.SetItemsProcessed(state.iterations() * input_shape[0]);
}

void BM_MlpHessianVectorProduct(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(1)));
  eta::models::MLP model({784, 256, 128, 10});
  hvp_bench(state, model, {state.range(0), 784});
}
BENCHMARK(BM_MlpHessianVectorProduct)->ArgNames({"batch", "threads"})->Args({64, 1})->Args({1000, 2})->Unit(benchmark::kMicrosecond);

void BM_LeNet5HessianVectorProduct(benchmark::State& state) {
  eta::set_num_threads(static_cast<int>(state.range(1)));
  eta::models::LeNet5 model;
  hvp_bench(state, model, {state.range(0), 1, 28, 28});
}
BENCHMARK(BM_LeNet5HessianVectorProduct)->ArgNames({"batch", "threads"})->Args({64, 1})->Unit(benchmark::kMicrosecond);

void BM_TinyMlpTrainStep(benchmark::State& state) {
  eta::set_num_threads(1);
  eta::models::MLP model({784, 32, 10});
  train_step_bench(state, model, {32, 784});
}
BENCHMARK(BM_TinyMlpTrainStep)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
