// autograd::grad: gradients returned, not summed into .grad; leaves and intermediate tensors as
// inputs; several outputs with their seeds; unused inputs; retain_graph; create_graph (second
// derivatives, backward(create_graph), grad() running only the needed part of the graph);
// bit-identical to backward() on an MLP.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "eta/eta.h"
#include "support/errors.h"

namespace eta {
namespace {

using testing::error_of;

// f throws eta::Error whose message names every one of `parts`.
void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  const std::string msg = error_of(f);
  for (const auto& part : parts) EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
}

Tensor vec(std::vector<double> v) { return from_vector(v, {static_cast<int64_t>(v.size())}, kFloat64); }

TEST(Grad, LeavesGetTheirGradientsAndNoGradChanges) {
  Tensor x = vec({1, 2, 3}).requires_grad_(), w = vec({0.5, -1, 2}).requires_grad_();
  const Tensor y = sum(add(mul(x, x), mul(w, x)));
  const std::vector<Tensor> g = autograd::grad({y}, {x, w});
  EXPECT_EQ(g[0].to_vector(), (std::vector<double>{2.5, 3, 8}));  // 2x + w
  EXPECT_EQ(g[1].to_vector(), (std::vector<double>{1, 2, 3}));     // x
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(Grad, AnIntermediateTensorAsInput) {
  Tensor x = vec({1, -2}).requires_grad_();
  const Tensor h = mul(x, 3.0);
  const Tensor y = sum(mul(h, h));
  EXPECT_EQ(autograd::grad({y}, {h})[0].to_vector(), (std::vector<double>{6, -12}));  // 2h
  EXPECT_FALSE(x.grad().defined());
}

TEST(Grad, SeveralOutputsWithTheirSeedsSumLikeBackward) {
  Tensor x = vec({1, 2}).requires_grad_();
  const Tensor a = mul(x, x), b = mul(x, 5.0);
  const std::vector<Tensor> g = autograd::grad({a, b}, {x}, {vec({1, 10}), vec({2, 0})});
  EXPECT_EQ(g[0].to_vector(), (std::vector<double>{2 * 1 * 1 + 10, 2 * 2 * 10 + 0}));
}

TEST(Grad, OneOutputThatDependsOnAnother) {
  Tensor x = vec({3}).requires_grad_();
  const Tensor a = mul(x, x);  // a = x^2, b = 2a: d(a + b)/dx = 3 * 2x
  const Tensor b = mul(a, 2.0);
  EXPECT_EQ(autograd::grad({sum(a), sum(b)}, {x})[0].to_vector(), (std::vector<double>{18}));
}

TEST(Grad, UnusedInputsAreAnErrorUnlessAllowed) {
  Tensor x = vec({1}).requires_grad_(), unused = vec({2}).requires_grad_();
  expect_error([&] { autograd::grad({sum(mul(x, x))}, {x, unused}); }, {"autograd::grad", "input 1", "allow_unused"});
  const auto g = autograd::grad({sum(mul(x, x))}, {x, unused}, {}, std::nullopt, false, /*allow_unused=*/true);
  EXPECT_TRUE(g[0].defined());
  EXPECT_FALSE(g[1].defined());
}

TEST(Grad, RetainGraphAndCreateGraph) {
  Tensor x = vec({1, 2}).requires_grad_();
  const Tensor y = sum(exp(x));
  autograd::grad({y}, {x}, {}, /*retain_graph=*/true);
  const auto again = autograd::grad({y}, {x});  // the graph was kept once
  EXPECT_NEAR(again[0].to_vector()[1], std::exp(2.0), 1e-12);
  expect_error([&] { autograd::grad({y}, {x}); }, {"second time", "retain_graph"});
}

TEST(Grad, CreateGraphGivesDifferentiableGradients) {
  // y = sum(x^3 + x0 x1): dy/dx = (3x0^2 + x1, 3x1^2 + x0), d2y/dx2 = [[6x0, 1], [1, 6x1]].
  Tensor x = vec({1.5, -2}).requires_grad_();
  const Tensor y = add(sum(mul(mul(x, x), x)), mul(x.select(0, 0), x.select(0, 1)));
  const Tensor g = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  ASSERT_TRUE(g.requires_grad());
  EXPECT_EQ(g.to_vector(), (std::vector<double>{3 * 2.25 - 2, 3 * 4 + 1.5}));
  const Tensor row0 = autograd::grad({g.select(0, 0)}, {x}, {}, /*retain_graph=*/true)[0];
  const Tensor row1 = autograd::grad({g.select(0, 1)}, {x})[0];
  EXPECT_EQ(row0.to_vector(), (std::vector<double>{9, 1}));
  EXPECT_EQ(row1.to_vector(), (std::vector<double>{1, -12}));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Grad, BackwardWithCreateGraphLeavesADifferentiableGrad) {
  Tensor x = vec({0.3, -0.7}).requires_grad_();
  sum(sin(x)).backward({}, std::nullopt, /*create_graph=*/true);
  const Tensor g = x.grad();  // cos(x), with its history
  ASSERT_TRUE(g.requires_grad());
  const Tensor h = autograd::grad({sum(g)}, {x}, {}, /*retain_graph=*/true)[0];  // -sin(x)
  EXPECT_NEAR(h.to_vector()[0], -std::sin(0.3), 1e-15);
  EXPECT_NEAR(h.to_vector()[1], -std::sin(-0.7), 1e-15);
  // A second create_graph backward adds to .grad with a recorded sum: still differentiable.
  sum(mul(x, x)).backward({}, std::nullopt, /*create_graph=*/true);
  EXPECT_NEAR(autograd::grad({sum(x.grad())}, {x})[0].to_vector()[0], -std::sin(0.3) + 2, 1e-15);
  x.zero_grad();  // a .grad with history references x through its graph: drop it (see Tensor::backward)
}

TEST(Grad, RunsOnlyThePartOfTheGraphThatLeadsToTheInputs) {
  // grad() w.r.t. an intermediate tensor must neither run nor free the ops before it: a later
  // backward() through them still works without retain_graph.
  Tensor x = vec({1, 2}).requires_grad_();
  const Tensor h = exp(x);
  const Tensor y = sum(mul(h, h));
  const Tensor gh = autograd::grad({y}, {h}, {}, /*retain_graph=*/false)[0];
  EXPECT_NEAR(gh.to_vector()[0], 2 * std::exp(1.0), 1e-12);
  sum(h).backward();  // exp's node was not released by grad()
  EXPECT_NEAR(x.grad().to_vector()[1], std::exp(2.0), 1e-12);
}

TEST(Grad, HessianVectorProductOfAQuadraticIsExact) {
  // f(x) = 1/2 x^T A x with symmetric A: H v = A v exactly (double backward through matmul).
  const Tensor a = from_vector(std::vector<double>{2, -1, 0, -1, 3, 0.5, 0, 0.5, 1}, {3, 3}, kFloat64);
  Tensor x = vec({0.2, -0.4, 1.1}).requires_grad_();
  const Tensor f = mul(sum(mul(x, matmul(a, x))), 0.5);
  const Tensor g = autograd::grad({f}, {x}, {}, std::nullopt, true)[0];
  const Tensor v = vec({1, 2, -1});
  const Tensor hv = autograd::grad({sum(mul(g, v))}, {x})[0];
  const std::vector<double> got = hv.to_vector();
  EXPECT_NEAR(got[0], 0, 1e-15);
  EXPECT_NEAR(got[1], -1 + 6 - 0.5, 1e-15);
  EXPECT_NEAR(got[2], 1 - 1, 1e-15);
}

TEST(Grad, BadArgumentsAreNamed) {
  Tensor x = vec({1, 2}).requires_grad_();
  const Tensor y = mul(x, 2.0);
  expect_error([&] { autograd::grad({y}, {x}); }, {"autograd::grad", "output 0", "[2]", "grad_outputs"});
  expect_error([&] { autograd::grad({y}, {x}, {vec({1})}); }, {"grad_outputs[0]", "[1]", "[2]"});
  expect_error([&] { autograd::grad({sum(y)}, {vec({1})}); }, {"input 0", "does not require grad"});
  expect_error([&] { autograd::grad({sum(y)}, {x, x}); }, {"input 1", "twice"});
  expect_error([&] { autograd::grad({vec({1})}, {x}); }, {"output 0", "does not require grad"});
}

TEST(Grad, EqualsBackwardBitForBitOnAnMlp) {
  manual_seed(4);
  nn::Sequential model{std::make_shared<nn::Linear>(6, 5), std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(5, 3)};
  const Tensor x = randn({8, 6});
  const Tensor target = from_vector(std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1}, {8});
  const std::vector<Tensor> params = model.parameters();
  const std::vector<Tensor> g = autograd::grad({cross_entropy(model.forward(x), target)}, params);
  for (const Tensor& p : params) EXPECT_FALSE(p.grad().defined());
  cross_entropy(model.forward(x), target).backward();
  for (size_t i = 0; i < params.size(); ++i) EXPECT_EQ(g[i].to_vector(), params[i].grad().to_vector()) << i;
}

}  // namespace
}  // namespace eta
