// compare_eta_ddp: eta's half of bench/compare_ddp, started by mpirun at W processes. The protocol
// of compare_pytorch_ddp.py: the normalised set preloaded; each epoch a new order and global
// batches of --batch, each rank taking its contiguous slice; Adam lr 1e-3; gradients summed with
// each rank weighted by its share (DistributedDataParallel); test accuracy from exact reduced
// counts. Rank 0 prints one JSON line: seconds per epoch, seconds in gradient communication,
// start-up seconds (process start to first step), peak RSS per rank, test accuracy.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eta/data/data_loader.h"
#include "eta/data/mnist.h"
#include "eta/dist/collectives.h"
#include "eta/dist/context.h"
#include "eta/dist/ddp.h"
#include "eta/eta.h"
#include "harness.h"
#include "models/lenet5.h"
#include "models/mlp.h"

namespace {

using eta::bench::arg;
using eta::bench::now;

// Seconds since this process started (its start time in /proc is in clock ticks after boot).
double seconds_since_start() {
  std::ifstream stat("/proc/self/stat"), uptime("/proc/uptime");
  std::string s((std::istreambuf_iterator<char>(stat)), {});
  const size_t close = s.rfind(')');
  std::istringstream fields(s.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {}
  double up = 0;
  uptime >> up;
  return up - std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The set as normalised float tensors, [N, 1, 28, 28] or [N, 784].
std::shared_ptr<eta::data::TensorDataset> preload(const std::string& dir, bool train, int64_t limit, bool flat) {
  eta::data::MnistDataset set = eta::data::load_mnist(dir, train);
  if (limit > 0 && limit < set.size()) set = set.slice(0, limit);
  const eta::data::TransformList normalize{std::make_shared<eta::data::Normalize>(
      std::vector<double>{eta::data::kFashionMnistMean}, std::vector<double>{eta::data::kFashionMnistStd})};
  eta::data::DataLoader all(set, {.batch_size = set.size(), .shuffle = false, .transforms = normalize});
  eta::data::Batch b;
  all.next(b);
  return std::make_shared<eta::data::TensorDataset>(flat ? b.input.reshape({b.input.size(0), 784}) : b.input, b.target);
}

}  // namespace

int main(int argc, char** argv) {
  return eta::dist::run_main("compare_eta_ddp", &argc, &argv, [&] {
    const std::string model_name = arg(argc, argv, "model", "mlp");
    const int64_t batch = std::stoll(arg(argc, argv, "batch", "64"));
    const int64_t epochs = std::stoll(arg(argc, argv, "epochs", "2"));
    const int64_t limit = std::stoll(arg(argc, argv, "limit", "0"));
    const std::string dir = arg(argc, argv, "data", "/usr/share/datasets/fashion-mnist");
    const std::string threads = arg(argc, argv, "threads", "");
    if (!threads.empty()) eta::set_num_threads(std::stoi(threads));
    const int64_t W = eta::dist::world_size(), rank = eta::dist::rank();
    const bool flat = model_name == "mlp";
    const auto train = preload(dir, true, limit, flat), test = preload(dir, false, 0, flat);
    eta::manual_seed(0);
    std::shared_ptr<eta::nn::Module> model;
    if (model_name == "mlp") model = std::make_shared<eta::models::MLP>(std::vector<int64_t>{784, 256, 128, 10});
    else if (model_name == "lenet") model = std::make_shared<eta::models::LeNet5>();
    else throw eta::Error("unknown --model " + model_name);
    eta::dist::DistributedDataParallel ddp(*model);
    eta::optim::Adam optimizer(model->parameters(), {.lr = 1e-3});
    eta::data::DataLoader loader(*train, {.batch_size = batch, .seed = 0, .rank = rank, .world_size = W});

    double startup = -1, comm = 0;
    std::vector<double> epoch_seconds;
    for (int64_t e = 0; e < epochs; ++e) {
      loader.set_epoch(e);
      eta::dist::barrier();
      const double t0 = now();
      for (eta::data::Batch b; loader.next(b);) {
        if (startup < 0) startup = seconds_since_start();
        optimizer.zero_grad();
        eta::cross_entropy(model->forward(b.input), b.target).backward();
        const double c0 = now();
        ddp.sync_gradients(b.target.size(0));
        comm += now() - c0;
        optimizer.step();
      }
      eta::dist::barrier();
      epoch_seconds.push_back(now() - t0);
    }
    const eta::train::Evaluation ev = eta::train::evaluate(*model, *test, eta::train::Task::Classification, {}, 1000, 0, &ddp);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::vector<double> worst{static_cast<double>(usage.ru_maxrss) / 1024.0, startup, comm};
    eta::dist::all_reduce(worst, eta::train::ReduceOp::Max);
    if (rank == 0) {
      std::printf("{\"framework\": \"eta\", \"model\": \"%s\", \"batch\": %ld, \"processes\": %ld, \"threads\": %d, "
                  "\"images\": %ld, \"epoch_seconds\": [",
                  model_name.c_str(), static_cast<long>(batch), static_cast<long>(W), eta::get_num_threads(),
                  static_cast<long>(train->size()));
      for (size_t i = 0; i < epoch_seconds.size(); ++i) std::printf("%s%.4f", i ? ", " : "", epoch_seconds[i]);
      std::printf("], \"comm_seconds_per_epoch\": %.4f, \"startup_seconds\": %.3f, \"peak_rss_mb_per_rank\": %.1f, "
                  "\"test_acc\": %.4f}\n",
                  worst[2] / static_cast<double>(epochs), worst[1], worst[0], ev.accuracy());
    }
    return 0;
  });
}
