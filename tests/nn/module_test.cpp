// Module registration, naming, train/eval, state dicts, dtype conversion, layer defaults and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"

namespace eta::nn {
namespace {

// A custom module in a few lines: what a user writes.
class TwoLayer : public Module {
 public:
  TwoLayer() {
    fc1 = register_module("fc1", std::make_shared<Linear>(4, 8));
    fc2 = register_module("fc2", std::make_shared<Linear>(8, 3));
    scale = register_buffer("scale", full({1}, 2.0));
  }
  Tensor forward(const Tensor& x) override { return mul(fc2->forward(relu(fc1->forward(x))), scale); }
  std::shared_ptr<Linear> fc1, fc2;
  Tensor scale;
};

TEST(Module, NamedParametersAreDottedAndOrdered) {
  TwoLayer m;
  std::vector<std::string> names;
  for (auto& [n, _] : m.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  EXPECT_EQ(m.num_parameters(), 4 * 8 + 8 + 8 * 3 + 3);
  EXPECT_EQ(m.named_buffers().at(0).first, "scale");
  EXPECT_EQ(m.state_dict().size(), 5u);
  for (const Tensor& p : m.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, SequentialNamesChildrenByPosition) {
  Sequential s{std::make_shared<Linear>(3, 4), std::make_shared<ReLU>(), std::make_shared<Linear>(4, 2)};
  std::vector<std::string> names;
  for (auto& [n, _] : s.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(s.forward(ones({5, 3})).shape(), (Shape{5, 2}));
}

TEST(Module, TrainAndEvalPropagate) {
  Sequential s{std::make_shared<Dropout>(0.5), std::make_shared<BatchNorm1d>(3)};
  s.eval();
  EXPECT_FALSE(s.is_training());
  EXPECT_FALSE(s[0].is_training());
  EXPECT_EQ(s.forward(ones({4, 3})).shape(), (Shape{4, 3}));
  s.train();
  EXPECT_TRUE(s[1].is_training());
}

TEST(Module, ZeroGradDropsEveryGradient) {
  TwoLayer m;
  sum(m.forward(ones({2, 4}))).backward();
  for (const Tensor& p : m.parameters()) EXPECT_TRUE(p.grad().defined());
  m.zero_grad();
  for (const Tensor& p : m.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, StateDictRoundTripRestoresOutputs) {
  manual_seed(1);
  TwoLayer a;
  manual_seed(2);
  TwoLayer b;
  const Tensor x = randn({3, 4});
  EXPECT_NE(a.forward(x).to_vector(), b.forward(x).to_vector());
  std::map<std::string, Tensor> state;
  for (auto& [n, t] : a.state_dict()) state[n] = t.clone();
  b.load_state_dict(state);
  EXPECT_EQ(a.forward(x).to_vector(), b.forward(x).to_vector());
}

TEST(Module, RejectedLoadListsProblemsAndChangesNothing) {
  TwoLayer m;
  const auto before = m.fc1->weight.to_vector();
  std::map<std::string, Tensor> state;
  for (auto& [n, t] : m.state_dict()) state[n] = t.clone();
  state["fc1.weight"] = zeros({8, 5});
  state.erase("fc2.bias");
  state["extra"] = zeros({1});
  try {
    m.load_state_dict(state);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("fc1.weight: file [8, 5] float32, model [8, 4] float32"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing: fc2.bias"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unexpected: extra"), std::string::npos) << msg;
  }
  EXPECT_EQ(m.fc1->weight.to_vector(), before);
}

TEST(Module, ToFloat64ConvertsInPlaceForGradcheck) {
  TwoLayer m;
  m.to(kFloat64);
  EXPECT_EQ(m.fc1->weight.dtype(), kFloat64);
  EXPECT_EQ(m.parameters()[0].dtype(), kFloat64);
  Tensor x = randn({2, 4}, kFloat64);
  const auto r = gradcheck([&](const std::vector<Tensor>& in) { return m.forward(in[0]); }, {x.requires_grad_()});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Module, DuplicateOrDottedNamesAreRejected) {
  struct Bad : Module {
    Bad() {
      register_parameter("w", zeros({1}));
      register_parameter("w", zeros({1}));
    }
    Tensor forward(const Tensor& x) override { return x; }
  };
  EXPECT_THROW(Bad(), Error);
}

TEST(Layers, LinearAndConvDefaultInitIsBoundedByOneOverSqrtFanIn) {
  manual_seed(0);
  Linear lin(100, 50);
  const double bound = 1 / std::sqrt(100.0);
  EXPECT_LE(max(abs(lin.weight)).item(), bound);
  EXPECT_GT(max(abs(lin.weight)).item(), 0.9 * bound);
  EXPECT_LE(max(abs(lin.bias)).item(), bound);
  Conv2d conv(6, 16, 5);
  const double cb = 1 / std::sqrt(6.0 * 25);
  EXPECT_LE(max(abs(conv.weight)).item(), cb);
  EXPECT_EQ(conv.weight.shape(), (Shape{16, 6, 5, 5}));
}

TEST(Layers, SameSeedSameWeights) {
  manual_seed(5);
  Linear a(10, 10);
  manual_seed(5);
  Linear b(10, 10);
  EXPECT_EQ(a.weight.to_vector(), b.weight.to_vector());
}

TEST(Layers, BadInputErrorsNameTheLayerAndShapes) {
  const auto expect_msg = [](const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
      f();
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  Linear lin(784, 10);
  expect_msg([&] { lin.forward(zeros({8, 100})); }, {"Linear", "[8, 100]", "784"});
  Conv2d conv(3, 8, 3);
  expect_msg([&] { conv.forward(zeros({2, 3, 8})); }, {"Conv2d", "4-D", "[2, 3, 8]"});
  expect_msg([&] { conv.forward(zeros({2, 1, 8, 8})); }, {"Conv2d", "[2, 1, 8, 8]", "channels"});
  Conv2d big(1, 1, 5);
  expect_msg([&] { big.forward(zeros({1, 1, 3, 3})); }, {"conv2d", "kernel 5x5", "3x3"});
  MaxPool2d pool(4);
  expect_msg([&] { pool.forward(zeros({1, 1, 3, 3})); }, {"max_pool2d", "kernel 4x4", "[1, 1, 3, 3]"});
  BatchNorm2d bn(4);
  expect_msg([&] { bn.forward(zeros({2, 3, 4, 4})); }, {"BatchNorm2d", "[2, 3, 4, 4]", "4"});
  expect_msg([&] { bn.forward(zeros({2, 4})); }, {"BatchNorm2d", "rank 2"});
  expect_msg([&] { cross_entropy(zeros({2, 10}), from_vector(std::vector<int64_t>{3, 12}, {2})); },
             {"cross_entropy", "target 12", "10 classes"});
  expect_msg([&] { cross_entropy(zeros({2, 10}), zeros({2})); }, {"cross_entropy", "int64"});
  expect_msg([&] { nll_loss(zeros({2, 10}), from_vector(std::vector<int64_t>{-1, 0}, {2})); }, {"nll_loss", "target -1"});
  expect_msg([&] { mse_loss(zeros({2, 3}), zeros({3, 2})); }, {"mse_loss", "[2, 3]", "[3, 2]"});
  expect_msg([&] { make_activation("swish"); }, {"swish", "relu"});
}

TEST(Layers, BatchNormTracksRunningStatsAndUsesThemInEval) {
  BatchNorm1d bn(2, 1e-5, 0.5);
  const Tensor x = from_vector(std::vector<float>{1, 10, 3, 30}, {2, 2});
  bn.forward(x);
  EXPECT_NEAR(bn.running_mean.at({0}), 0.5 * 2, 1e-6);
  EXPECT_NEAR(bn.running_var.at({1}), 0.5 + 0.5 * 200, 1e-4);  // unbiased batch var of {10, 30} = 200
  EXPECT_EQ(bn.num_batches_tracked.item(), 1);
  bn.eval();
  const auto y = bn.forward(x).to_vector();
  EXPECT_NEAR(y[0], (1 - 1.0) / std::sqrt(bn.running_var.at({0}) + 1e-5), 1e-6);
}

// Sequential runs BatchNorm -> ReLU as batch_norm_relu: nothing a user can observe may change.
// Inputs of the size where the kernels vectorise and split channels across threads.
TEST(Layers, SequentialFusesBatchNormReluBitForBit) {
  for (const DType dtype : {kFloat32, kFloat64}) {
    manual_seed(5);
    const Tensor x0 = randn({8, 6, 11, 13}, dtype);
    auto bn_a = std::make_shared<BatchNorm2d>(6), bn_b = std::make_shared<BatchNorm2d>(6);
    bn_a->to(dtype), bn_b->to(dtype);
    {
      NoGradGuard no_grad;
      bn_a->weight.copy_(add(abs(randn({6}, dtype)), 0.5));
      bn_a->bias.copy_(full({6}, 0.1, dtype));
    }
    bn_b->load_state_dict(bn_a->state_dict());
    Sequential fused{bn_a, std::make_shared<ReLU>()};
    for (const bool training : {true, false}) {
      fused.train(training), bn_b->train(training);
      Tensor xa = x0.clone().requires_grad_(), xb = x0.clone().requires_grad_();
      const Tensor ya = fused.forward(xa), yb = relu(bn_b->forward(xb));
      EXPECT_EQ(ya.grad_fn()->name(), "batch_norm_relu");
      EXPECT_EQ(ya.to_vector(), yb.to_vector());
      const Tensor seed = randn(ya.shape(), dtype);
      ya.backward(seed), yb.backward(seed);
      EXPECT_EQ(xa.grad().to_vector(), xb.grad().to_vector());
      EXPECT_EQ(bn_a->weight.grad().to_vector(), bn_b->weight.grad().to_vector());
      EXPECT_EQ(bn_a->bias.grad().to_vector(), bn_b->bias.grad().to_vector());
      EXPECT_EQ(bn_a->running_mean.to_vector(), bn_b->running_mean.to_vector());
      EXPECT_EQ(bn_a->running_var.to_vector(), bn_b->running_var.to_vector());
      EXPECT_EQ(bn_a->num_batches_tracked.item(), bn_b->num_batches_tracked.item());
      fused.zero_grad(), bn_b->zero_grad();
    }
  }
}

// Under create_graph the fused op's relu mask is the forward output's, as unfused relu's is. At
// the mean of 1..5 the float32 kernel writes 1.19e-7, not 0: a mask from a recomputed batch norm
// (which gives exactly 0 there) would drop that element's gradient.
TEST(Layers, BatchNormReluCreateGraphMasksByTheForwardOutput) {
  const Tensor w = ones({1}), b = zeros({1});
  const Tensor x0 = from_vector(std::vector<float>{1, 2, 3, 4, 5}, {5, 1});
  Tensor xa = x0.clone().requires_grad_(), xb = x0.clone().requires_grad_();
  const Tensor ya = batch_norm_relu(xa, Tensor(), Tensor(), w, b, true, 0.1, 1e-5);
  const Tensor yb = relu(batch_norm(xb, Tensor(), Tensor(), w, b, true, 0.1, 1e-5));
  ASSERT_EQ(ya.to_vector(), yb.to_vector());
  const Tensor seed = from_vector(std::vector<float>{0.5, -1, 2, 1, -0.25}, {5, 1});
  const Tensor ga = autograd::grad({ya}, {xa}, {seed}, true, true)[0];
  const Tensor gb = autograd::grad({yb}, {xb}, {seed}, true, true)[0];
  EXPECT_EQ(ga.to_vector(), gb.to_vector());
  EXPECT_TRUE(ga.requires_grad());
}

// A subclass's own forward is never bypassed by the fusion (SyncBatchNorm is such a subclass).
TEST(Layers, SequentialCallsABatchNormSubclassesOwnForward) {
  struct Doubled : BatchNorm2d {
    Doubled() : BatchNorm2d(2) {}
    Tensor forward(const Tensor& x) override { return mul(BatchNorm2d::forward(x), 2.0); }
  };
  Sequential seq{std::make_shared<Doubled>(), std::make_shared<ReLU>()};
  const Tensor x = randn({4, 2, 3, 3});
  BatchNorm2d plain(2);
  EXPECT_EQ(seq.forward(x).to_vector(), relu(mul(plain.forward(x), 2.0)).to_vector());
}

// In inference Sequential writes a ReLU (fused with batch norm or not) over an intermediate only it
// holds: the same values as with a graph, and the caller's input, or a view of it, is never written.
TEST(Layers, SequentialInInferenceOverwritesOnlyItsOwnIntermediates) {
  manual_seed(3);
  Sequential seq{std::make_shared<Linear>(6, 5), std::make_shared<ReLU>(), std::make_shared<Linear>(5, 4),
                 std::make_shared<BatchNorm1d>(4), std::make_shared<ReLU>()};
  const Tensor x = randn({8, 6}), x_before = x.clone();
  for (const bool training : {true, false}) {
    seq.train(training);
    const Tensor with_graph = seq.forward(x);  // grad mode on: new tensors throughout
    NoGradGuard no_grad;
    EXPECT_EQ(seq.forward(x).to_vector(), with_graph.to_vector()) << "training " << training;
  }
  EXPECT_EQ(x.to_vector(), x_before.to_vector());
  struct Noting : Module {  // doubles its input, noting where the result lives
    const float* at = nullptr;
    Tensor forward(const Tensor& in) override {
      Tensor out = mul(in, 2.0);
      at = out.data_ptr<float>();
      return out;
    }
  };
  const auto noting = std::make_shared<Noting>();
  Sequential noted{noting, std::make_shared<ReLU>()};
  EXPECT_NE(noted.forward(x).data_ptr<float>(), noting->at);  // with a graph: a new tensor
  NoGradGuard no_grad;
  EXPECT_EQ(noted.forward(x).data_ptr<float>(), noting->at);  // in inference: written over
  Sequential relu_first{std::make_shared<ReLU>()}, flatten_first{std::make_shared<Flatten>(), std::make_shared<ReLU>()};
  const Tensor images = randn({2, 3, 2, 2}), images_before = images.clone();
  EXPECT_EQ(relu_first.forward(x).to_vector(), relu(x_before).to_vector());
  EXPECT_EQ(flatten_first.forward(images).to_vector(), relu(images_before.reshape({2, 12})).to_vector());
  EXPECT_EQ(x.to_vector(), x_before.to_vector());
  EXPECT_EQ(images.to_vector(), images_before.to_vector());
}

TEST(Init, FormulasMatchPyTorch) {
  Tensor w = empty({300, 200});
  Generator g(0);
  init::xavier_uniform_(w, 1.0, g);
  EXPECT_LE(max(abs(w)).item(), std::sqrt(6.0 / 500) + 1e-7);
  init::kaiming_normal_(w, 0, init::FanMode::FanIn, "relu", g);
  EXPECT_NEAR(std::sqrt(var(w).item()), std::sqrt(2.0 / 200), 2e-3);
  init::xavier_normal_(w, 1.0, g);
  EXPECT_NEAR(std::sqrt(var(w).item()), std::sqrt(2.0 / 500), 2e-3);
  init::kaiming_uniform_(w, 0, init::FanMode::FanOut, "relu", g);
  EXPECT_LE(max(abs(w)).item(), std::sqrt(2.0) * std::sqrt(3.0 / 300) + 1e-7);
  init::constant_(w, 0.25);
  EXPECT_EQ(mean(w).item(), 0.25);
  init::zeros_(w);
  EXPECT_EQ(sum(abs(w)).item(), 0);
  EXPECT_NEAR(init::calculate_gain("tanh"), 5.0 / 3, 1e-12);
  EXPECT_NEAR(init::calculate_gain("leaky_relu", 0.2), std::sqrt(2 / 1.04), 1e-12);
  EXPECT_THROW(init::calculate_gain("swish"), Error);
  Tensor v = empty({5});
  EXPECT_THROW(init::xavier_uniform_(v), Error);
  Tensor p = zeros({3}).requires_grad_();
  init::uniform_(p, -1, 1);  // works on parameters: no in-place error
  EXPECT_LE(max(abs(p)).item(), 1.0);
}

}  // namespace
}  // namespace eta::nn
