// compare_tinydnn: tiny-dnn 1.0.0a3 (Debian's header-only package) side of bench/compare. Same
// models, data, batches and JSON line as compare_eta.cpp, Adam lr 1e-3. Built with OpenMP
// (CNN_USE_OMP), so the thread count is omp_set_num_threads(): tiny-dnn's own n_threads argument
// is ignored. tiny-dnn has no cross-entropy-with-logits: the last layer is a softmax and the loss
// is cross_entropy_multiclass, which is the same function. Its own weight initialisation.
// The CNN's convolutions keep their bias (redundant before BatchNorm): without one, tiny-dnn's
// Conv2dOp reads a bias that is not there and crashes.
#include <omp.h>

// config.h turns on the quantized kernels' gemmlowp, which Debian does not ship with tiny-dnn and
// these float models never call: switched off between config.h and the rest.
#include <tiny_dnn/config.h>
#undef CNN_USE_GEMMLOWP
#include <tiny_dnn/tiny_dnn.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "compare_common.h"

namespace {

namespace td = tiny_dnn;
using namespace tiny_dnn::activation;
using td::padding;

// fit() calls optimizer.reset() and so would clear Adam's moments at every call (one per epoch
// here); keep them, as every other framework's Adam does.
struct KeepStateAdam : td::adam {
  bool started = false;
  void reset() override {
    if (!started) td::adam::reset();
    started = true;
  }
};

// Every layer of a graph network must outlive it: the networks own theirs here.
struct Model {
  std::vector<std::shared_ptr<td::layer>> layers;
  td::network<td::sequential> seq;
  td::network<td::graph> graph;
  bool is_graph = false;
  template <class L, class... A>
  L& add(A... args) {
    auto l = std::make_shared<L>(args...);
    layers.push_back(l);
    return *l;
  }
  template <class F>
  void each(F f) {
    if (is_graph) f(graph);
    else f(seq);
  }
};

void make_model(const std::string& name, Model& m) {
  using td::fully_connected_layer;
  if (name == "mlp") {
    m.seq << fully_connected_layer<relu>(784, 256) << fully_connected_layer<relu>(256, 128)
          << fully_connected_layer<softmax>(128, 10);
  } else if (name == "tiny") {
    m.seq << fully_connected_layer<relu>(784, 32) << fully_connected_layer<softmax>(32, 10);
  } else if (name == "lenet") {
    m.seq << td::convolutional_layer<relu>(28, 28, 5, 1, 6, padding::same) << td::max_pooling_layer<identity>(28, 28, 6, 2)
          << td::convolutional_layer<relu>(14, 14, 5, 6, 16, padding::valid) << td::max_pooling_layer<identity>(10, 10, 16, 2)
          << fully_connected_layer<relu>(400, 120) << fully_connected_layer<relu>(120, 84)
          << fully_connected_layer<softmax>(84, 10);
  } else if (name == "cnn") {  // eta's models::SmallCNN; the residual block needs the graph API
    m.is_graph = true;
    using conv = td::convolutional_layer<identity>;
    using bn = td::batch_normalization_layer;
    using act = td::linear_layer<relu>;  // a stand-alone ReLU
    using pool = td::max_pooling_layer<identity>;
    auto& c1 = m.add<conv>(28, 28, 3, 1, 32, padding::same, true);
    auto& b1 = m.add<bn>(28 * 28, 32);
    auto& r1 = m.add<act>(28 * 28 * 32);
    auto& p1 = m.add<pool>(28, 28, 32, 2);
    auto& c2 = m.add<conv>(14, 14, 3, 32, 32, padding::same, true);
    auto& b2 = m.add<bn>(14 * 14, 32);
    auto& r2 = m.add<act>(14 * 14 * 32);
    auto& c3 = m.add<conv>(14, 14, 3, 32, 32, padding::same, true);
    auto& b3 = m.add<bn>(14 * 14, 32);
    auto& sum = m.add<td::elementwise_add_layer>(2, 14 * 14 * 32);
    auto& r3 = m.add<act>(14 * 14 * 32);
    auto& p2 = m.add<pool>(14, 14, 32, 2);
    auto& c4 = m.add<conv>(7, 7, 3, 32, 64, padding::same, true);
    auto& b4 = m.add<bn>(7 * 7, 64);
    auto& r4 = m.add<act>(7 * 7 * 64);
    auto& drop = m.add<td::dropout_layer>(7 * 7 * 64, 0.25f);
    auto& fc = m.add<fully_connected_layer<softmax>>(7 * 7 * 64, 10);
    c1 << b1 << r1 << p1 << c2 << b2 << r2 << c3 << b3;
    td::connect(&p1, &sum, 0, 0);  // the skip path: sum's first input
    td::connect(&b3, &sum, 0, 1);
    sum << r3 << p2 << c4 << b4 << r4 << drop << fc;
    td::construct_graph(m.graph, {&c1}, {&fc});
  } else {
    throw std::runtime_error("unknown --model " + name);
  }
}

td::vec_t sample_of(const compare::Split& s, int64_t i) {
  return td::vec_t(s.images.begin() + i * 784, s.images.begin() + (i + 1) * 784);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const compare::Options o = compare::parse(argc, argv);
    omp_set_num_threads(o.threads);
    // Samples laid out batch after batch; a short last batch stays last when the batches are
    // reordered, because fit() cuts its input into batches by position.
    std::vector<std::vector<td::vec_t>> xb;
    std::vector<std::vector<td::label_t>> yb;
    int64_t images = 0;
    {
      const compare::Split train = compare::load(o.data, "train", o.limit);
      images = train.size();
      for (const auto& idx : compare::batch_indices(train.size(), o.batch)) {
        xb.emplace_back(), yb.emplace_back();
        for (int64_t i : idx) xb.back().push_back(sample_of(train, i)), yb.back().push_back(static_cast<td::label_t>(train.labels[static_cast<size_t>(i)]));
      }
    }
    const bool short_last = images % o.batch != 0;
    Model m;
    make_model(o.model, m);
    KeepStateAdam opt;
    opt.alpha = 1e-3f;
    compare::Visits visits(xb.size() - (short_last ? 1 : 0));
    std::vector<double> epoch_seconds;
    for (int64_t e = 0; e < o.epochs; ++e) {
      std::vector<size_t> order = visits.next();
      if (short_last) order.push_back(xb.size() - 1);
      // This epoch's samples, moved in (no copy) and back out. train() copies them once more
      // into its own tensors, inside the clock: its public API has no way around that.
      std::vector<td::vec_t> x;
      std::vector<td::label_t> y;
      for (size_t b : order)
        for (size_t k = 0; k < xb[b].size(); ++k) x.push_back(std::move(xb[b][k])), y.push_back(std::move(yb[b][k]));
      const double t0 = compare::now();
      m.each([&](auto& net) {
        net.template train<td::cross_entropy_multiclass>(opt, x, y, static_cast<size_t>(o.batch), 1, [] {}, [] {}, false, o.threads);
      });
      epoch_seconds.push_back(compare::now() - t0);
      size_t at = 0;
      for (size_t b : order)
        for (size_t k = 0; k < xb[b].size(); ++k, ++at) xb[b][k] = std::move(x[at]);
    }
    const compare::Split test = compare::load(o.data, "t10k", 0);
    std::vector<td::tensor_t> tx;
    for (int64_t i = 0; i < test.size(); ++i) tx.push_back({sample_of(test, i)});
    std::vector<td::tensor_t> out;
    const double t0 = compare::now();
    m.each([&](auto& net) {  // batches of 1000, as the other harnesses
      net.set_netphase(td::net_phase::test);
      for (size_t i = 0; i < tx.size(); i += 1000) {
        const std::vector<td::tensor_t> chunk(tx.begin() + static_cast<std::ptrdiff_t>(i),
                                              tx.begin() + static_cast<std::ptrdiff_t>(std::min(tx.size(), i + 1000)));
        for (auto& r : net.predict(chunk)) out.push_back(std::move(r));
      }
    });
    const double infer = compare::now() - t0;
    int64_t correct = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      const td::vec_t& p = out[i][0];
      correct += std::max_element(p.begin(), p.end()) - p.begin() == test.labels[i];
    }
    compare::print_result("tiny-dnn", o, images, epoch_seconds, infer,
                          static_cast<double>(correct) / static_cast<double>(test.size()),
                          "OpenMP threads " + std::to_string(o.threads) + ", CNN_USE_OMP" +
#ifdef CNN_USE_AVX
                              " CNN_USE_AVX"
#else
                              ""
#endif
    );
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_tinydnn: %s\n", e.what());
    return 1;
  }
}
