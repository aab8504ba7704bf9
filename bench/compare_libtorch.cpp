// compare_libtorch: libtorch 1.13 (C++) side of bench/compare. The models, protocol and JSON line
// of compare_pytorch.py without Python: one epoch of batches preloaded, visited in a new order
// each epoch, Adam lr 1e-3, libtorch's default initialisation.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "compare_common.h"

namespace {

namespace nn = torch::nn;

struct ResidualImpl : nn::Module {
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  explicit ResidualImpl(int64_t c) {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1).bias(false)));
    bn1 = register_module("bn1", nn::BatchNorm2d(c));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1).bias(false)));
    bn2 = register_module("bn2", nn::BatchNorm2d(c));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::relu(bn2(conv2(torch::relu(bn1(conv1(x))))) + x);
  }
};
TORCH_MODULE(Residual);

nn::Sequential make_model(const std::string& name) {
  if (name == "mlp")
    return nn::Sequential(nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                          nn::Linear(128, 10));
  if (name == "tiny") return nn::Sequential(nn::Flatten(), nn::Linear(784, 32), nn::ReLU(), nn::Linear(32, 10));
  if (name == "lenet")
    return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                          nn::Conv2d(6, 16, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(400, 120),
                          nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
  if (name == "cnn")  // eta's models::SmallCNN
    return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1).bias(false)), nn::BatchNorm2d(32), nn::ReLU(),
                          nn::MaxPool2d(2), Residual(32), nn::MaxPool2d(2),
                          nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1).bias(false)), nn::BatchNorm2d(64), nn::ReLU(),
                          nn::Flatten(), nn::Dropout(0.25), nn::Linear(64 * 7 * 7, 10));
  throw std::runtime_error("unknown --model " + name);
}

torch::Tensor images_of(const compare::Split& s, const std::vector<int64_t>& idx) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(idx.size()), 1, 28, 28});
  float* p = t.data_ptr<float>();
  for (size_t i = 0; i < idx.size(); ++i)
    std::copy_n(s.images.data() + idx[i] * 784, 784, p + i * 784);
  return t;
}

torch::Tensor labels_of(const compare::Split& s, const std::vector<int64_t>& idx) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(idx.size())}, torch::kLong);
  for (size_t i = 0; i < idx.size(); ++i) t.data_ptr<int64_t>()[i] = s.labels[static_cast<size_t>(idx[i])];
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const compare::Options o = compare::parse(argc, argv);
    torch::set_num_threads(o.threads);
    torch::manual_seed(0);
    std::vector<std::pair<torch::Tensor, torch::Tensor>> batches;
    int64_t images = 0;
    {
      const compare::Split train = compare::load(o.data, "train", o.limit);
      images = train.size();
      for (const auto& idx : compare::batch_indices(train.size(), o.batch))
        batches.emplace_back(images_of(train, idx), labels_of(train, idx));
    }
    std::vector<std::pair<torch::Tensor, torch::Tensor>> test;
    {
      const compare::Split t = compare::load(o.data, "t10k", 0);
      for (int64_t i = 0; i < t.size(); i += 1000) {
        std::vector<int64_t> idx(static_cast<size_t>(std::min<int64_t>(1000, t.size() - i)));
        std::iota(idx.begin(), idx.end(), i);
        test.emplace_back(images_of(t, idx), labels_of(t, idx));
      }
    }
    nn::Sequential model = make_model(o.model);
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
    compare::Visits visits(batches.size());
    std::vector<double> epoch_seconds;
    for (int64_t e = 0; e < o.epochs; ++e) {
      const auto& order = visits.next();
      const double t0 = compare::now();
      for (size_t i : order) {
        opt.zero_grad();
        torch::nn::functional::cross_entropy(model->forward(batches[i].first), batches[i].second).backward();
        opt.step();
      }
      epoch_seconds.push_back(compare::now() - t0);
    }
    model->eval();
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> preds;
    const double t0 = compare::now();
    for (const auto& b : test) preds.push_back(model->forward(b.first).argmax(1));
    const double infer = compare::now() - t0;
    int64_t correct = 0, total = 0;
    for (size_t i = 0; i < test.size(); ++i) {
      correct += preds[i].eq(test[i].second).sum().item<int64_t>();
      total += test[i].second.size(0);
    }
    const char* bt = std::getenv("OPENBLAS_NUM_THREADS");
    const char* ct = std::getenv("OPENBLAS_CORETYPE");
    compare::print_result("libtorch", o, images, epoch_seconds, infer, static_cast<double>(correct) / static_cast<double>(total),
                          "torch threads " + std::to_string(o.threads) + ", OPENBLAS_NUM_THREADS=" + (bt ? bt : "unset") +
                              ", OPENBLAS_CORETYPE=" + (ct ? ct : "auto"));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_libtorch: %s\n", e.what());
    return 1;
  }
}
