// Extremal values give PyTorch's results (inf, NaN in the same places), and softmax stays stable
// for huge logits.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>

#include "eta/eta.h"

namespace eta {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor vec(std::vector<double> v) { return from_vector(v, {static_cast<int64_t>(v.size())}); }

TEST(Extremal, UnaryOpsAtInfNanZeroAndDenormals) {
  const Tensor x = vec({0.0, -0.0, kInf, -kInf, kNaN, DBL_MAX, 4.9e-324, -1.0});
  const auto e = exp(x).to_vector();
  EXPECT_EQ(e[0], 1.0);
  EXPECT_EQ(e[2], kInf);
  EXPECT_EQ(e[3], 0.0);
  EXPECT_TRUE(std::isnan(e[4]));
  EXPECT_EQ(e[5], kInf);
  const auto l = log(x).to_vector();
  EXPECT_EQ(l[0], -kInf);
  EXPECT_EQ(l[1], -kInf);
  EXPECT_EQ(l[2], kInf);
  EXPECT_TRUE(std::isnan(l[4]));
  EXPECT_TRUE(std::isnan(l[7]));
  EXPECT_NEAR(l[6], -744.44007192138122, 1e-9);  // log of the smallest denormal
  const auto r = relu(x).to_vector();
  EXPECT_TRUE(std::isnan(r[4]));  // NaN propagates, as torch.relu
  EXPECT_EQ(r[3], 0.0);
  EXPECT_TRUE(std::isnan(sqrt(x).to_vector()[7]));
  const auto s = sigmoid(x).to_vector();
  EXPECT_EQ(s[2], 1.0);
  EXPECT_EQ(s[3], 0.0);
  EXPECT_TRUE(std::isnan(s[4]));
  const auto t = tanh(x).to_vector();
  EXPECT_EQ(t[2], 1.0);
  EXPECT_EQ(t[3], -1.0);
}

TEST(Extremal, NanPropagatesThroughMaxClampAndReductions) {
  const Tensor x = vec({1.0, kNaN, 3.0});
  EXPECT_TRUE(std::isnan(max(x).item()));
  EXPECT_TRUE(std::isnan(min(x).item()));
  EXPECT_TRUE(std::isnan(sum(x).item()));
  EXPECT_TRUE(std::isnan(maximum(x, vec({2, 2, 2})).to_vector()[1]));
  EXPECT_TRUE(std::isnan(clamp(x, 0, 2).to_vector()[1]));
  EXPECT_EQ(argmax(x, 0).to_int_vector()[0], 1);  // NaN counts as the maximum, as torch.argmax
}

TEST(Extremal, SoftmaxOfHugeLogitsIsStable) {
  const Tensor x = from_vector(std::vector<float>{1, 2, 3, -1, 0, 5}, {2, 3});
  const auto base = log_softmax(x, 1).to_vector();
  const auto shifted = log_softmax(add(x, 1e4), 1).to_vector();
  for (size_t i = 0; i < base.size(); ++i) EXPECT_NEAR(base[i], shifted[i], 1e-5);
  const Tensor two = from_vector(std::vector<double>{1e8, 1e8}, {1, 2});
  EXPECT_NEAR(log_softmax(two, 1).to_vector()[0], -std::log(2.0), 1e-12);
  const auto p = softmax(from_vector(std::vector<float>{1e30f, 0, -1e30f}, {3}), 0).to_vector();
  EXPECT_EQ(p[0], 1.0f);
  EXPECT_EQ(p[1], 0.0f);
}

TEST(Extremal, LogSoftmaxGradientRowsSumToZero) {
  Tensor x = from_vector(std::vector<double>{3, 1e4, -2, 0.5, 7, 1}, {2, 3}).requires_grad_();
  const Tensor w = from_vector(std::vector<double>{0.3, -1, 2, 1, 1, 1}, {2, 3});
  sum(mul(log_softmax(x, 1), w)).backward();
  const auto g = x.grad().to_vector();
  EXPECT_NEAR(g[0] + g[1] + g[2], 0.0, 1e-12);
  EXPECT_NEAR(g[3] + g[4] + g[5], 0.0, 1e-12);
}

}  // namespace
}  // namespace eta
