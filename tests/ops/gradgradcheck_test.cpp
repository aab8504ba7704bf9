// gradgradcheck itself (it catches a closure right at first order and wrong at second) and the
// layer without a fixture case (dropout). Every op and layer/loss case is gradgradchecked beside
// its gradcheck (ops/gradcheck_test.cpp, nn/functional_test.cpp).
#include <gtest/gtest.h>

#include "eta/eta.h"
#include "support/user_op.h"

namespace eta::testing {
namespace {

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
  const auto cube = test::cube_with_derivative("detached_cube", [](const Tensor& x) { return mul(mul(x, x), 3.0); });
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
