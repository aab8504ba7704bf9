// compare_eta: eta's half of bench/compare_pytorch. Trains one model with the protocol that
// compare_pytorch.py follows in PyTorch (one epoch of batches preloaded and visited in a new order
// each epoch, Adam lr 1e-3, PyTorch's default
// initialisation scheme) and prints one JSON line: per-epoch training seconds, inference seconds
// on the test set, peak RSS and test accuracy.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "eta/data/data_loader.h"
#include "eta/eta.h"
#include "harness.h"
#include "models/lenet5.h"
#include "models/mlp.h"
#include "models/small_cnn.h"

namespace {

using eta::bench::arg;
using eta::bench::now;

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string model_name = arg(argc, argv, "model", "mlp");
    const int64_t batch = std::stoll(arg(argc, argv, "batch", "64"));
    const int threads = std::stoi(arg(argc, argv, "threads", "1"));
    const int64_t epochs = std::stoll(arg(argc, argv, "epochs", "3"));
    const int64_t limit = std::stoll(arg(argc, argv, "limit", "0"));
    const std::string dir = arg(argc, argv, "data", "/usr/share/datasets/fashion-mnist");
    eta::set_num_threads(threads);
    const std::string cache_mb = arg(argc, argv, "cache-mb", "");  // eta's tensor cache limit (default: eta's)
    if (!cache_mb.empty()) eta::set_memory_cache_limit(static_cast<size_t>(std::stoll(cache_mb)) << 20);
    eta::manual_seed(0);

    const bool flat = model_name == "mlp" || model_name == "tiny";
    // The same constants as the PyTorch harness; MLP batches as [B, 784] (a free view).
    const eta::data::TransformList normalize{std::make_shared<eta::data::Normalize>(
        std::vector<double>{eta::data::kFashionMnistMean}, std::vector<double>{eta::data::kFashionMnistStd})};
    const auto flatten = [&](eta::data::Batch b) {
      if (flat) b.input = b.input.reshape({b.input.size(0), -1});
      return b;
    };
    // One epoch of batches preloaded (shuffled once, contiguous), so that timing covers training
    // only; each epoch visits them in a new order. The uint8 dataset is dropped once batched.
    std::vector<eta::data::Batch> batches;
    int64_t train_images = 0;
    {
      eta::data::MnistDataset train_set = eta::data::load_mnist(dir, true);
      if (limit > 0 && limit < train_set.size()) train_set = train_set.slice(0, limit);
      train_images = train_set.size();
      eta::data::DataLoader loader(train_set, {.batch_size = batch, .seed = 0, .transforms = normalize});
      for (eta::data::Batch b; loader.next(b);) batches.push_back(flatten(b));
    }
    std::vector<size_t> order(batches.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::mt19937 order_rng(0);
    std::vector<eta::data::Batch> test_batches;
    int64_t test_images = 0;
    {
      const eta::data::MnistDataset test_set = eta::data::load_mnist(dir, false);
      test_images = test_set.size();
      eta::data::DataLoader test_loader(test_set, {.batch_size = 1000, .shuffle = false, .transforms = normalize});
      for (eta::data::Batch b; test_loader.next(b);) test_batches.push_back(flatten(b));
    }

    std::shared_ptr<eta::nn::Module> model;
    if (model_name == "mlp") model = std::make_shared<eta::models::MLP>(std::vector<int64_t>{784, 256, 128, 10});
    else if (model_name == "tiny") model = std::make_shared<eta::models::MLP>(std::vector<int64_t>{784, 32, 10});
    else if (model_name == "lenet") model = std::make_shared<eta::models::LeNet5>();
    else if (model_name == "cnn") model = std::make_shared<eta::models::SmallCNN>();
    else throw eta::Error("unknown --model " + model_name);
    eta::optim::Adam optimizer(model->parameters(), {.lr = 1e-3});

    std::vector<double> epoch_seconds;
    for (int64_t e = 0; e < epochs; ++e) {
      std::shuffle(order.begin(), order.end(), order_rng);
      const double t0 = now();
      for (size_t i : order) {
        optimizer.zero_grad();
        eta::cross_entropy(model->forward(batches[i].input), batches[i].target).backward();
        optimizer.step();
      }
      epoch_seconds.push_back(now() - t0);
    }
    model->eval();
    eta::NoGradGuard no_grad;
    int64_t correct = 0;
    const double t0 = now();
    std::vector<eta::Tensor> predictions;
    for (const auto& b : test_batches) predictions.push_back(eta::argmax(model->forward(b.input), 1));
    const double infer = now() - t0;
    for (size_t i = 0; i < test_batches.size(); ++i) {
      const auto p = predictions[i].to_int_vector(), l = test_batches[i].target.to_int_vector();
      for (size_t j = 0; j < p.size(); ++j) correct += p[j] == l[j];
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"framework\": \"eta\", \"model\": \"%s\", \"batch\": %ld, \"threads\": %d, \"images\": %ld, \"epoch_seconds\": [",
                model_name.c_str(), static_cast<long>(batch), threads, static_cast<long>(train_images));
    for (size_t i = 0; i < epoch_seconds.size(); ++i) std::printf("%s%.4f", i ? ", " : "", epoch_seconds[i]);
    std::printf("], \"inference_seconds\": %.4f, \"peak_rss_mb\": %.1f, \"test_acc\": %.4f, \"setting\": \"%s\"}\n", infer,
                static_cast<double>(usage.ru_maxrss) / 1024.0,
                static_cast<double>(correct) / static_cast<double>(test_images), eta::blas_info().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_eta: %s\n", e.what());
    return 1;
  }
}
