// The starter program: trains eta's MLP with SGD for a few steps on Fashion-MNIST and prints the
// loss, then the accuracy on test images. Start your own program from this file and CMakeLists.txt.
// Usage: starter [steps=100] [data-dir=/usr/share/datasets/fashion-mnist] (IDX files, gzipped)
// Without the data it trains on a synthetic batch of the same shape instead.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "eta/data/idx.h"
#include "eta/eta.h"
#include "eta/models/mlp.h"

using namespace eta;

namespace {

struct Examples {
  Tensor images;  // float32 [N, 784], normalised
  Tensor labels;  // int64 [N]
};

// The first `limit` examples of an IDX image/label pair (gzipped or not) as tensors: pixels scaled
// to [0, 1], then normalised with Fashion-MNIST's mean and standard deviation.
Examples load_examples(const std::string& images_path, const std::string& labels_path, int64_t limit) {
  const data::IdxArray images = data::read_idx(images_path, 3);
  const data::IdxArray labels = data::read_idx(labels_path, 1);
  const int64_t n = std::min(limit, images.dims[0]);
  const int64_t d = images.dims[1] * images.dims[2];
  std::vector<float> x(static_cast<size_t>(n * d));
  for (size_t i = 0; i < x.size(); ++i) x[i] = (images.data[i] / 255.0f - 0.2860f) / 0.3530f;
  std::vector<int64_t> y(labels.data.begin(), labels.data.begin() + n);
  return {from_vector(x, {n, d}), from_vector(y, {n})};
}

// A stand-in for the real data: 10-class labels from a fixed random linear map of random
// 28x28 "images", which an MLP can learn.
Examples synthetic_examples(int64_t n) {
  Generator gen(1);
  Tensor images = randn({n, 28 * 28}, kFloat32, gen);
  Tensor labels = argmax(matmul(images, randn({28 * 28, 10}, kFloat32, gen)), 1);
  return {images, labels};
}

// Fraction of rows of `logits` whose largest entry is at `labels`.
double accuracy(const Tensor& logits, const Tensor& labels) {
  NoGradGuard no_grad;  // measuring needs no graph
  return eq(argmax(logits, 1).to(kFloat32), labels.to(kFloat32)).mean().item();  // eq takes floats
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 100;
  const std::string dir = argc > 2 ? argv[2] : "/usr/share/datasets/fashion-mnist";
  std::printf("eta %s\n", eta::version());
  manual_seed(0);  // fixes the initial weights: the same run repeats bit for bit

  const bool have_data = std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz");
  Examples train, test;
  if (have_data) {
    train = load_examples(dir + "/train-images-idx3-ubyte.gz", dir + "/train-labels-idx1-ubyte.gz", 10000);
    test = load_examples(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz", 1000);
    std::printf("Fashion-MNIST from %s: %lld training images\n", dir.c_str(),
                static_cast<long long>(train.labels.size(0)));
  } else {
    train = synthetic_examples(256);
    std::printf("no Fashion-MNIST in %s: training on 256 synthetic images\n", dir.c_str());
  }

  models::MLP model({28 * 28, 128, 10});
  optim::SGD optimizer(model.parameters(), {.lr = 0.05, .momentum = 0.9});
  const int64_t batch_size = 64;
  const int64_t num_batches = std::max<int64_t>(1, train.labels.size(0) / batch_size);

  for (int step = 1; step <= steps; ++step) {
    const int64_t begin = (step - 1) % num_batches * batch_size;  // batches in order, then again
    const int64_t end = std::min(begin + batch_size, train.labels.size(0));
    const Tensor images = train.images.slice(0, begin, end), labels = train.labels.slice(0, begin, end);
    Tensor logits = model.forward(images);
    Tensor loss = cross_entropy(logits, labels);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    if (step == 1 || step % 10 == 0 || step == steps) {
      std::printf("step %4d  loss %.4f  batch accuracy %.3f\n", step, loss.item(), accuracy(logits, labels));
    }
  }

  if (have_data) {
    model.eval();
    std::printf("test accuracy on %lld images: %.3f\n", static_cast<long long>(test.labels.size(0)),
                accuracy(model.forward(test.images), test.labels));
  }
  return 0;
}
