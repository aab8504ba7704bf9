// compare_dlib: dlib 19.24 (dnn module, CPU, OpenBLAS) side of bench/compare. Same models,
// data, batches and JSON line as compare_eta.cpp; Adam lr 1e-3 through dlib's dnn_trainer with
// what differs from the other frameworks turned off: dlib's adam() decays weights by 5e-4 (set
// to 0), the trainer shrinks the learning rate on plateaus (shrink factor 1), con<> pads "same"
// (LeNet's second convolution is declared "valid"), and train_one_step() only queues a step on
// the trainer's thread (get_net() waits for it before an epoch's clock stops).
// dlib's own weight initialisation; threads are OpenBLAS's (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS).
#include <dlib/dnn.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compare_common.h"

namespace {

using namespace dlib;
using image = matrix<float>;

template <typename S> using pool2 = max_pool<2, 2, 2, 2, S>;  // stride 2: no padding
template <typename S> using con16_valid = add_layer<con_<16, 5, 5, 1, 1, 0, 0>, S>;

using mlp_net = loss_multiclass_log<fc<10, relu<fc<128, relu<fc<256, input<image>>>>>>>;
using tiny_net = loss_multiclass_log<fc<10, relu<fc<32, input<image>>>>>;
using lenet_net = loss_multiclass_log<fc<10, relu<fc<84, relu<fc<120,
    pool2<relu<con16_valid<pool2<relu<con<6, 5, 5, 1, 1, input<image>>>>>>>>>>>>>;

// eta's models::SmallCNN; BN is bn_con for training and affine for inference, DO dropout or its
// inference stand-in, multiply.
template <template <typename> class BN, typename S>
using residual = relu<add_prev1<BN<con<32, 3, 3, 1, 1, relu<BN<con<32, 3, 3, 1, 1, tag1<S>>>>>>>>;
template <template <typename> class BN, template <typename> class DO>
using cnn_net = loss_multiclass_log<fc<10, DO<relu<BN<con<64, 3, 3, 1, 1,
    pool2<residual<BN, pool2<relu<BN<con<32, 3, 3, 1, 1, input<image>>>>>>>>>>>>>;

struct Data {
  std::vector<std::vector<image>> x;
  std::vector<std::vector<unsigned long>> y;
  std::vector<image> test_x;
  std::vector<unsigned long> test_y;
  int64_t images = 0;
};

image to_image(const compare::Split& s, int64_t i) {
  image m(28, 28);
  std::copy_n(s.images.data() + i * 784, 784, &m(0, 0));
  return m;
}

Data load(const compare::Options& o) {
  Data d;
  {
    const compare::Split train = compare::load(o.data, "train", o.limit);
    d.images = train.size();
    for (const auto& idx : compare::batch_indices(train.size(), o.batch)) {
      d.x.emplace_back(), d.y.emplace_back();
      for (int64_t i : idx) {
        d.x.back().push_back(to_image(train, i));
        d.y.back().push_back(static_cast<unsigned long>(train.labels[static_cast<size_t>(i)]));
      }
    }
  }
  const compare::Split test = compare::load(o.data, "t10k", 0);
  for (int64_t i = 0; i < test.size(); ++i) {
    d.test_x.push_back(to_image(test, i));
    d.test_y.push_back(static_cast<unsigned long>(test.labels[static_cast<size_t>(i)]));
  }
  return d;
}

// Trains `net` and returns the epoch times; the trained network is left in `net`.
template <class Net>
std::vector<double> train(Net& net, const Data& d, int64_t epochs) {
  dnn_trainer<Net, adam> trainer(net, adam(0.0f, 0.9f, 0.999f));
  trainer.set_learning_rate(1e-3);
  trainer.set_learning_rate_shrink_factor(1);  // no plateau schedule
  trainer.set_iterations_without_progress_threshold(1ul << 40);
  compare::Visits visits(d.x.size());
  std::vector<double> seconds;
  for (int64_t e = 0; e < epochs; ++e) {
    const auto& order = visits.next();
    const double t0 = compare::now();
    for (size_t i : order) trainer.train_one_step(d.x[i], d.y[i]);
    trainer.get_net(force_flush_to_disk::no);  // waits for the queued steps
    seconds.push_back(compare::now() - t0);
  }
  net.clean();
  return seconds;
}

// Inference in batches of 1000 (as the other harnesses) with the inference form of the net.
template <class InferNet>
void infer(InferNet& net, const Data& d, double& seconds, double& acc) {
  const double t0 = compare::now();
  const std::vector<unsigned long> pred = net(d.test_x, 1000);
  seconds = compare::now() - t0;
  size_t correct = 0;
  for (size_t i = 0; i < pred.size(); ++i) correct += pred[i] == d.test_y[i];
  acc = static_cast<double>(correct) / static_cast<double>(pred.size());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const compare::Options o = compare::parse(argc, argv);
    const Data d = load(o);
    std::vector<double> epochs;
    double infer_s = 0, acc = 0;
    if (o.model == "mlp" || o.model == "tiny" || o.model == "lenet") {
      auto run = [&](auto net) {
        epochs = train(net, d, o.epochs);
        infer(net, d, infer_s, acc);
      };
      if (o.model == "mlp") run(mlp_net());
      else if (o.model == "tiny") run(tiny_net());
      else run(lenet_net());
    } else if (o.model == "cnn") {
      cnn_net<bn_con, dropout> net;
      layer<2>(net).layer_details() = dropout_(0.25f);
      disable_duplicative_biases(net);  // convolutions followed by BatchNorm carry no bias, as in eta
      epochs = train(net, d, o.epochs);
      cnn_net<affine, multiply> inet = net;
      infer(inet, d, infer_s, acc);
    } else {
      throw std::runtime_error("unknown --model " + o.model);
    }
    const char* bt = std::getenv("OPENBLAS_NUM_THREADS");
    const char* ct = std::getenv("OPENBLAS_CORETYPE");
    compare::print_result("dlib", o, d.images, epochs, infer_s, acc,
                          std::string("OPENBLAS_NUM_THREADS=") + (bt ? bt : "unset") + ", OPENBLAS_CORETYPE=" + (ct ? ct : "auto"));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_dlib: %s\n", e.what());
    return 1;
  }
}
