// The backward engine: accumulation, retain_graph, freed graphs, deep chains, no-grad, detach.
#include <gtest/gtest.h>

#include "eta/eta.h"

namespace eta {
namespace {

Tensor leaf(std::vector<double> v) {
  Tensor t = from_vector(v, {static_cast<int64_t>(v.size())});
  t.requires_grad_();
  return t;
}

TEST(Engine, TwoBackwardsAccumulateExactlyTwiceTheGradient) {
  Tensor x = leaf({0.3, -1.2, 2.5});
  const Tensor y = sum(mul(exp(x), x));
  y.backward({}, /*retain_graph=*/true);
  const auto g1 = x.grad().to_vector();
  y.backward();
  const auto g2 = x.grad().to_vector();
  for (size_t i = 0; i < g1.size(); ++i) EXPECT_EQ(g2[i], 2 * g1[i]);
}

TEST(Engine, BackwardTwiceGivesBitIdenticalGradients) {
  Tensor x = leaf({0.7, 1.1, -0.4});
  const auto run = [&] {
    x.zero_grad();
    sum(mul(tanh(x), sigmoid(x))).backward();
    return x.grad().to_vector();
  };
  EXPECT_EQ(run(), run());
}

TEST(Engine, BackwardThroughAFreedGraphThrows) {
  Tensor x = leaf({1, 2});
  const Tensor y = sum(exp(x));
  y.backward();
  try {
    y.backward();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos) << e.what();
  }
}

TEST(Engine, ZeroUpstreamGradientGivesZeroGradients) {
  Tensor x = leaf({1, 2, 3});
  const Tensor y = mul(exp(x), 3.0);
  y.backward(zeros({3}, kFloat64));
  for (double g : x.grad().to_vector()) EXPECT_EQ(g, 0.0);
}

TEST(Engine, SharedSubgraphGradientsAddUp) {
  Tensor x = leaf({2.0});
  const Tensor a = mul(x, x);      // x^2
  const Tensor y = add(mul(a, a), a);  // x^4 + x^2 -> 4x^3 + 2x = 36
  y.sum().backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 36.0);
}

TEST(Engine, BroadcastInputsGetGradientsOfTheirOwnShape) {
  Tensor a = from_vector(std::vector<double>(6, 1.0), {2, 3}).requires_grad_();
  Tensor b = from_vector(std::vector<double>{1, 2, 3}, {3}).requires_grad_();
  Tensor c = from_vector(std::vector<double>{5}, {1, 1}).requires_grad_();
  sum(mul(add(a, b), c)).backward();
  EXPECT_EQ(b.grad().shape(), (Shape{3}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<double>{10, 10, 10}));
  EXPECT_EQ(c.grad().shape(), (Shape{1, 1}));
  EXPECT_DOUBLE_EQ(c.grad().item(), 2 * (1 + 2 + 3) + 6);
}

TEST(Engine, AChainOf100000OpsNeitherOverflowsForwardBackwardNorTeardown) {
  Tensor x = leaf({1.0});
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = add(y, 1e-6);
    y.sum().backward();
  }  // the whole chain is destroyed here
  EXPECT_DOUBLE_EQ(x.grad().item(), 1.0);
}

TEST(Engine, NoGradGuardRecordsNothing) {
  Tensor x = leaf({1, 2});
  {
    NoGradGuard guard;
    const Tensor y = exp(x);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE(exp(x).requires_grad());
}

TEST(Engine, DetachCutsHistoryButSharesData) {
  Tensor x = leaf({1, 2});
  const Tensor y = exp(x);
  const Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.shares_storage(y));
  sum(mul(d, x)).backward();
  EXPECT_EQ(x.grad().to_vector(), y.to_vector());  // d is a constant for the gradient
}

TEST(Engine, ExplicitGradientForNonScalarOutput) {
  Tensor x = leaf({1, 2, 3});
  mul(x, 2.0).backward(from_vector(std::vector<double>{1, 0, -1}, {3}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2, 0, -2}));
}

TEST(Engine, WrongGradientShapeOrDtypeIsRejected) {
  Tensor x = leaf({1, 2, 3});
  const Tensor y = mul(x, 2.0);
  EXPECT_THROW(y.backward(ones({2}, kFloat64)), Error);
  EXPECT_THROW(y.backward(ones({3}, kFloat32)), Error);
}

TEST(Engine, SeedGradientIsNotAliasedIntoTheLeaf) {
  Tensor x = leaf({1, 2});
  Tensor seed = ones({2}, kFloat64);
  add(x, 0.0).backward(seed, true);
  add(x, 0.0).backward(seed);
  EXPECT_EQ(seed.to_vector(), (std::vector<double>{1, 1}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2, 2}));
}

TEST(Engine, InPlaceOnLeafRequiringGradThrowsOutsideNoGrad) {
  Tensor x = leaf({1, 2});
  EXPECT_THROW(x.add_(ones({2}, kFloat64)), Error);
  NoGradGuard guard;
  x.add_(ones({2}, kFloat64));
  EXPECT_EQ(x.to_vector(), (std::vector<double>{2, 3}));
}

TEST(Engine, RequiresGradOnlyOnFloatLeaves) {
  EXPECT_THROW(arange(3, kInt64).requires_grad_(), Error);
  Tensor x = leaf({1});
  Tensor y = exp(x);
  EXPECT_THROW(y.requires_grad_(false), Error);
}

TEST(Engine, GradFnNamesTheOp) {
  Tensor x = leaf({1});
  EXPECT_EQ(exp(x).grad_fn()->name(), "exp");
  EXPECT_EQ(matmul(x, x).grad_fn()->name(), "view");  // the dot product's final reshape
}

}  // namespace
}  // namespace eta
