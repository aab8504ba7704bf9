#include <gtest/gtest.h>
#include "eta/eta.h"
TEST(Smoke, AddBackward) {
  eta::Tensor a = eta::from_vector(std::vector<double>{1, 2, 3}, {3}).requires_grad_();
  eta::Tensor b = (a * a).sum();
  b.backward();
  EXPECT_DOUBLE_EQ(a.grad().at({2}), 6.0);
}
