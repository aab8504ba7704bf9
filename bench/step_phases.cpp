// step_phases: where one training step's time goes, by phase (zero_grad, forward, loss, backward,
// Adam's step), at 1 and 2 threads, for the MLP, LeNet-5 and the small CNN at batch 64 — the
// protocol of bench/compare. The last column runs Adam's step alone, repeatedly, on gradients that
// stay put: the difference from the in-step figure is what the optimizer pays for reading
// parameters and gradients that the forward and backward left in other cores' caches.
// Run: ./build/bench/step_phases [--steps 2000] [--model mlp|lenet|cnn|all]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eta/eta.h"
#include "eta/models/lenet5.h"
#include "eta/models/mlp.h"
#include "eta/models/small_cnn.h"
#include "harness.h"

namespace {

using eta::bench::arg;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

double micros(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::micro>(b - a).count(); }

std::shared_ptr<eta::nn::Module> make_model(const std::string& name) {
  if (name == "mlp") return std::make_shared<eta::models::MLP>(std::vector<int64_t>{784, 256, 128, 10});
  if (name == "lenet") return std::make_shared<eta::models::LeNet5>();
  return std::make_shared<eta::models::SmallCNN>();
}

void run(const std::string& name, int threads, int steps) {
  eta::set_num_threads(threads);
  eta::manual_seed(0);
  const auto model = make_model(name);
  eta::optim::Adam optimizer(model->parameters(), {.lr = 1e-3});
  const int64_t batch = 64;
  const eta::Tensor x = name == "mlp" ? eta::randn({batch, 784}) : eta::randn({batch, 1, 28, 28});
  std::vector<int64_t> labels(batch);
  for (int64_t i = 0; i < batch; ++i) labels[static_cast<size_t>(i)] = i % 10;
  const eta::Tensor y = eta::from_vector(labels, {batch});
  std::vector<double> phase[5], step_alone;
  const int warmup = steps / 5;
  for (int s = 0; s < warmup + steps; ++s) {
    Clock::time_point t[6];
    t[0] = Clock::now();
    optimizer.zero_grad();
    t[1] = Clock::now();
    const eta::Tensor out = model->forward(x);
    t[2] = Clock::now();
    eta::Tensor loss = eta::cross_entropy(out, y);
    t[3] = Clock::now();
    loss.backward();
    t[4] = Clock::now();
    optimizer.step();
    t[5] = Clock::now();
    if (s >= warmup)
      for (int p = 0; p < 5; ++p) phase[p].push_back(micros(t[p], t[p + 1]));
  }
  for (int s = 0; s < warmup + steps; ++s) {  // the same gradients again and again
    const auto t0 = Clock::now();
    optimizer.step();
    if (s >= warmup) step_alone.push_back(micros(t0, Clock::now()));
  }
  double total = 0;
  std::printf("| %s | %d |", name.c_str(), threads);
  for (auto& p : phase) {
    const double m = median(p);
    total += m;
    std::printf(" %.1f |", m);
  }
  std::printf(" %.0f | %.1f |\n", total, median(step_alone));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int steps = std::stoi(arg(argc, argv, "steps", "2000"));
    const std::string which = arg(argc, argv, "model", "all");
    std::printf("Medians of %d steps, batch 64, Adam; µs. %s\n\n", steps, eta::blas_info().c_str());
    std::printf("| model | threads | zero_grad | forward | loss | backward | Adam step | sum | Adam step alone |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const std::string name : {"mlp", "lenet", "cnn"}) {
      if (which != "all" && which != name) continue;
      const int n = name == "cnn" ? std::max(1, steps / 10) : steps;  // a CNN step is ~10x longer
      for (int threads : {1, 2}) run(name, threads, n);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "step_phases: %s\n", e.what());
    return 1;
  }
}
