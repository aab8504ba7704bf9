// Gradcheck of every op case in float64: analytic Jacobian against central differences, on the
// fixture inputs (drawn away from kinks), including broadcast, size-1 and strided cases; and
// gradgradcheck of every case (second order).
#include <gtest/gtest.h>

#include "ops/op_cases.h"
#include "support/fixtures.h"
#include "support/user_op.h"

namespace eta::testing {
namespace {

class Gradcheck : public ::testing::TestWithParam<OpCase> {};

TEST_P(Gradcheck, AnalyticMatchesFiniteDifferences) {
  static const auto fixtures = load_cases("ops_cases.txt");
  const OpCase& c = GetParam();
  check_gradcheck(c.name, c.fn, fixtures.at(c.name), c.gradcheck_eps);
}

// Second order on the same cases: the double backward of every op against finite differences of
// its create_graph gradients (gradgradcheck).
TEST_P(Gradcheck, SecondOrderMatchesFiniteDifferences) {
  static const auto fixtures = load_cases("ops_cases.txt");
  const OpCase& c = GetParam();
  check_gradgradcheck(c.name, c.fn, fixtures.at(c.name), c.gradcheck_eps);
}

INSTANTIATE_TEST_SUITE_P(Ops, Gradcheck, ::testing::ValuesIn(op_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; });

TEST(GradcheckApi, CatchesAWrongGradient) {
  // A user-written op with a deliberately wrong backward (2x instead of 3x^2) must fail.
  const auto wrong_cube = test::cube_with_derivative("wrong_cube", [](const Tensor& x) { return mul(x, 2.0); });
  Tensor x = from_vector(std::vector<double>{0.5, 1.5, -2}, {3}).requires_grad_();
  const GradcheckResult r = gradcheck(wrong_cube, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("analytic"), std::string::npos);
}

TEST(GradcheckApi, RejectsFloat32Inputs) {
  Tensor x = ones({2}).requires_grad_();
  EXPECT_THROW(gradcheck([](const std::vector<Tensor>& v) { return exp(v[0]); }, {x}), Error);
}

}  // namespace
}  // namespace eta::testing
