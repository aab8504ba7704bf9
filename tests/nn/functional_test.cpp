// PyTorch parity (float64 forward + gradients, float32 forward + gradients), float64 gradcheck and
// gradgradcheck for every conv, pooling, normalisation, embedding and loss case in nn_cases.h.
#include <gtest/gtest.h>

#include "nn/nn_cases.h"
#include "support/fixtures.h"

namespace eta::testing {
namespace {

const std::map<std::string, FixtureCase>& fixtures() {
  static const auto cases = load_cases("nn_cases.txt");
  return cases;
}

class NnParity : public ::testing::TestWithParam<NnCase> {};

TEST_P(NnParity, Float64MatchesTorch) {
  const NnCase& c = GetParam();
  ASSERT_TRUE(fixtures().count(c.name)) << "no fixture for " << c.name << "; rerun gen_nn.py";
  check_parity_f64(c.name, c.fn, fixtures().at(c.name));
}

TEST_P(NnParity, Float32MatchesTorch) {
  const NnCase& c = GetParam();
  check_parity_f32(c.name, c.fn, fixtures().at(c.name), /*with_grads=*/true);
}

TEST_P(NnParity, Gradcheck) {
  const NnCase& c = GetParam();
  check_gradcheck(c.name, c.fn, fixtures().at(c.name));
}

TEST_P(NnParity, Gradgradcheck) {
  const NnCase& c = GetParam();
  check_gradgradcheck(c.name, c.fn, fixtures().at(c.name));
}

INSTANTIATE_TEST_SUITE_P(Nn, NnParity, ::testing::ValuesIn(nn_cases()),
                         [](const ::testing::TestParamInfo<NnCase>& info) { return info.param.name; });

TEST(Losses, CrossEntropyIsStableForHugeLogits) {
  const Tensor logits = from_vector(std::vector<double>{1e8, 1e8}, {1, 2});
  const Tensor target = from_vector(std::vector<int64_t>{0}, {1});
  EXPECT_NEAR(cross_entropy(logits, target).item(), std::log(2.0), 1e-6);
  Tensor big = from_vector(std::vector<float>{1e4f, -1e4f, 0, 3e4f, 2e4f, 1e4f}, {2, 3}).requires_grad_();
  const Tensor t2 = from_vector(std::vector<int64_t>{0, 2}, {2});
  const Tensor loss = cross_entropy(big, t2);
  EXPECT_NEAR(loss.item(), (0.0 + 2e4) / 2, 1e-2);
  loss.backward();
  for (double g : big.grad().to_vector()) EXPECT_TRUE(std::isfinite(g));
}

TEST(Losses, BceWithLogitsIsStableAndSmoothAtZero) {
  const Tensor x = from_vector(std::vector<double>{1e4, -1e4, 0}, {3});
  const Tensor y = from_vector(std::vector<double>{0, 1, 1}, {3});
  const auto per = binary_cross_entropy_with_logits(x, y, Reduction::None).to_vector();
  EXPECT_DOUBLE_EQ(per[0], 1e4);
  EXPECT_DOUBLE_EQ(per[1], 1e4);
  EXPECT_NEAR(per[2], std::log(2.0), 1e-15);
  Tensor z = zeros({1}, kFloat64).requires_grad_();
  binary_cross_entropy_with_logits(z, ones({1}, kFloat64)).backward();
  EXPECT_DOUBLE_EQ(z.grad().item(), -0.5);  // sigmoid(0) - 1
}

TEST(Dropout, IsSeededScalesKeptValuesAndIsIdentityInEval) {
  Generator g1(9), g2(9);
  const Tensor x = ones({10000});
  const auto a = dropout(x, 0.3, true, g1).to_vector();
  EXPECT_EQ(a, dropout(x, 0.3, true, g2).to_vector());
  int kept = 0;
  for (double v : a) {
    if (v != 0) {
      EXPECT_NEAR(v, 1 / 0.7, 1e-6);
      ++kept;
    }
  }
  EXPECT_NEAR(kept / 10000.0, 0.7, 0.02);
  EXPECT_EQ(dropout(x, 0.3, false, g1).to_vector(), x.to_vector());
  EXPECT_THROW(dropout(x, 1.5, true, g1), Error);
}

TEST(Dropout, GradientFlowsThroughKeptElementsOnly) {
  Generator g(3);
  Tensor x = ones({100}, kFloat64).requires_grad_();
  const Tensor y = dropout(x, 0.5, true, g);
  sum(y).backward();
  EXPECT_EQ(x.grad().to_vector(), y.detach().to_vector());
}

}  // namespace
}  // namespace eta::testing
