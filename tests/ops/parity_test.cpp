// PyTorch parity: every case of op_cases.h against tests/fixtures/ops_cases.txt, forward and
// input gradients in float64, forward in float32.
#include <gtest/gtest.h>

#include "ops/op_cases.h"
#include "support/fixtures.h"

namespace eta::testing {
namespace {

class Parity : public ::testing::TestWithParam<OpCase> {
 protected:
  static const std::map<std::string, FixtureCase>& fixtures() {
    static const auto cases = load_cases("ops_cases.txt");
    return cases;
  }
};

TEST_P(Parity, Float64ForwardAndGradientsMatchTorch) {
  const OpCase& c = GetParam();
  ASSERT_TRUE(fixtures().count(c.name)) << "no fixture for case " << c.name << "; rerun gen_ops.py";
  check_parity_f64(c.name, c.fn, fixtures().at(c.name));
}

TEST_P(Parity, Float32ForwardMatchesTorch) {
  const OpCase& c = GetParam();
  check_parity_f32(c.name, c.fn, fixtures().at(c.name), /*with_grads=*/false);
}

INSTANTIATE_TEST_SUITE_P(Ops, Parity, ::testing::ValuesIn(op_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; });

TEST(Parity, ArgmaxMatchesTorchFirstMaximum) {
  EXPECT_EQ(argmax(from_vector(std::vector<float>{3, 9, 9, 1}, {4}), 0).to_int_vector()[0], 1);  // first of ties
  const Tensor x = from_vector(std::vector<double>{1, 5, 5, -1, 2, 0, 7, 7, 7}, {3, 3});
  EXPECT_EQ(argmax(x, 1).to_int_vector(), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(argmax(x, 0).to_int_vector(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(argmax(x, 1, true).shape(), (Shape{3, 1}));
}

}  // namespace
}  // namespace eta::testing
