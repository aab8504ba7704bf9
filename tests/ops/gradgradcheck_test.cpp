// Second-order gradients: gradgradcheck (double backward against finite differences of the
// create_graph gradients, float64) over every op case and every layer/loss case, on the same
// fixture inputs as the first-order gradcheck.
#include <gtest/gtest.h>

#include "nn/nn_cases.h"
#include "ops/op_cases.h"
#include "support/fixtures.h"

namespace eta::testing {
namespace {

class OpGradgradcheck : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpGradgradcheck, DoubleBackwardMatchesFiniteDifferences) {
  static const auto fixtures = load_cases("ops_cases.txt");
  const OpCase& c = GetParam();
  check_gradgradcheck(c.name, c.fn, fixtures.at(c.name), c.gradcheck_eps);
}

INSTANTIATE_TEST_SUITE_P(Ops, OpGradgradcheck, ::testing::ValuesIn(op_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; });

class NnGradgradcheck : public ::testing::TestWithParam<NnCase> {};

TEST_P(NnGradgradcheck, DoubleBackwardMatchesFiniteDifferences) {
  static const auto fixtures = load_cases("nn_cases.txt");
  const NnCase& c = GetParam();
  check_gradgradcheck(c.name, c.fn, fixtures.at(c.name));
}

INSTANTIATE_TEST_SUITE_P(Nn, NnGradgradcheck, ::testing::ValuesIn(nn_cases()),
                         [](const ::testing::TestParamInfo<NnCase>& info) { return info.param.name; });

// Dropout has no fixture case (its mask is eta's own draw): gradgradchecked here with a generator
// seeded inside the function, so that every evaluation draws the same mask.
TEST(LayerGradgradcheck, Dropout) {
  Tensor x = from_vector(std::vector<double>{0.5, -1.5, 2, 0.25, -0.75, 1}, {2, 3}).requires_grad_();
  const auto fn = [](const std::vector<Tensor>& in) {
    Generator gen(11);
    return square(dropout(in[0], 0.4, /*training=*/true, gen));
  };
  const GradcheckResult r = gradgradcheck(fn, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(GradgradcheckApi, CatchesAWrongSecondDerivative) {
  // A user op whose backward is right at first order but not differentiable the right way:
  // cube's gradient 3x^2 computed from a detached x, so its own derivative is lost.
  const auto cube = [](const std::vector<Tensor>& x) {
    const Tensor in = x[0];
    Tensor out = mul(mul(in.detach(), in.detach()), in.detach());
    const Tensor saved = in.detach();
    return autograd::record("detached_cube", out, {in}, [saved](const Tensor& g, const NeedsGrad&) {
      return std::vector<Tensor>{mul(g, mul(mul(saved, saved), 3.0))};
    });
  };
  Tensor x = from_vector(std::vector<double>{0.5, 1.5, -2}, {3}).requires_grad_();
  EXPECT_TRUE(gradcheck(cube, {x}).ok);
  const GradcheckResult r = gradgradcheck(cube, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("gradgradcheck"), std::string::npos) << r.message;
}

TEST(GradgradcheckApi, PassesARightSecondDerivative) {
  const auto cube = [](const std::vector<Tensor>& x) { return mul(mul(x[0], x[0]), x[0]); };
  Tensor x = from_vector(std::vector<double>{0.5, 1.5, -2}, {3}).requires_grad_();
  const GradcheckResult r = gradgradcheck(cube, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

}  // namespace
}  // namespace eta::testing
