// PyTorch parity: every case of op_cases.h against tests/fixtures/ops_cases.txt, forward and
// input gradients in float64, forward in float32.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/op_cases.h"
#include "support/fixtures.h"

namespace eta::testing {
namespace {

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double atol, double rtol,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), atol + rtol * std::fabs(want[i]))
        << what << " element " << i << ": eta " << got[i] << " torch " << want[i];
}

class Parity : public ::testing::TestWithParam<OpCase> {
 protected:
  static const std::map<std::string, FixtureCase>& fixtures() {
    static const auto cases = load_op_cases();
    return cases;
  }
};

TEST_P(Parity, Float64ForwardAndGradientsMatchTorch) {
  const OpCase& c = GetParam();
  const auto it = fixtures().find(c.name);
  ASSERT_NE(it, fixtures().end()) << "no fixture for case " << c.name << "; rerun gen_ops.py";
  const FixtureCase& f = it->second;
  std::vector<Tensor> inputs;
  for (const auto& in : f.inputs) inputs.push_back(make_input(in, kFloat64));
  const Tensor out = c.fn(inputs);
  EXPECT_EQ(out.shape(), f.output.shape);
  expect_close(out.to_vector(), f.output.values, 1e-12, 1e-9, c.name + " forward");
  out.backward(from_vector(f.cotangent.values, f.cotangent.shape, kFloat64));
  for (const auto& [i, g] : f.grads) {
    const Tensor grad = inputs[static_cast<size_t>(i)].grad();
    ASSERT_TRUE(grad.defined()) << c.name << ": no gradient for input " << i;
    EXPECT_EQ(grad.shape(), g.shape);
    expect_close(grad.to_vector(), g.values, 1e-12, 1e-9, c.name + " grad " + std::to_string(i));
  }
}

TEST_P(Parity, Float32ForwardMatchesTorch) {
  const OpCase& c = GetParam();
  const FixtureCase& f = fixtures().at(c.name);
  std::vector<Tensor> inputs;
  for (const auto& in : f.inputs) inputs.push_back(make_input(in, kFloat32));
  const Tensor out = c.fn(inputs);
  EXPECT_EQ(out.dtype(), kFloat32);
  expect_close(out.to_vector(), f.output.values, 1e-5, 1e-5, c.name + " float32 forward");
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
