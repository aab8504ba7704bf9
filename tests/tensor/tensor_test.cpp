// Tensor creation, metadata, element access, dtype conversion, printing and the generator.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"

namespace eta {
namespace {

TEST(Tensor, FactoriesFillShapeAndDtype) {
  const Tensor z = zeros({2, 3});
  EXPECT_EQ(z.dtype(), kFloat32);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.strides(), (Shape{3, 1}));
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(full({2}, 7.5, kFloat64).to_vector(), (std::vector<double>{7.5, 7.5}));
  EXPECT_EQ(ones({3}).sum().item(), 3);
  EXPECT_EQ(arange(0, 1, 0.25, kFloat64).to_vector(), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(arange(4, kInt64).to_int_vector(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(scalar_tensor(3).dim(), 0);
  EXPECT_EQ(scalar_tensor(3).item(), 3);
  EXPECT_THROW(arange(0, 1, -1), Error);
  EXPECT_THROW(zeros({2, -1}), Error);
}

TEST(Tensor, CopiesShareDataAndCloneDoesNot) {
  Tensor a = zeros({2});
  Tensor b = a;
  b.set({1}, 5);
  EXPECT_EQ(a.at({1}), 5);
  Tensor c = a.clone();
  c.set({1}, 9);
  EXPECT_EQ(a.at({1}), 5);
}

TEST(Tensor, ElementAccessWithNegativeIndices) {
  Tensor a = arange(6, kFloat64).reshape({2, 3});
  EXPECT_EQ(a.at({-1, -1}), 5);
  EXPECT_EQ(a.at({1, 0}), 3);
  EXPECT_THROW(a.at({2, 0}), Error);
  EXPECT_THROW(a.at({0}), Error);
}

TEST(Tensor, ToConvertsDtypesAndIsDifferentiable) {
  Tensor a = from_vector(std::vector<double>{1.5, -2.25}, {2});
  EXPECT_EQ(a.to(kFloat32).dtype(), kFloat32);
  EXPECT_EQ(a.to(kInt64).to_int_vector(), (std::vector<int64_t>{1, -2}));
  a.requires_grad_();
  sum(mul(a.to(kFloat32), 2.0)).backward();
  EXPECT_EQ(a.grad().dtype(), kFloat64);
  EXPECT_EQ(a.grad().to_vector(), (std::vector<double>{2, 2}));
}

TEST(Tensor, PrintingShowsValuesShapeAndDtype) {
  const std::string s = arange(4, kFloat32).reshape({2, 2}).to_string();
  EXPECT_NE(s.find("[[0, 1],"), std::string::npos) << s;
  EXPECT_NE(s.find("[2, 3]]"), std::string::npos) << s;
  EXPECT_NE(s.find("shape=[2, 2]"), std::string::npos) << s;
  EXPECT_NE(s.find("dtype=float32"), std::string::npos) << s;
  EXPECT_NE(zeros({2000}).to_string().find("..."), std::string::npos);
  EXPECT_EQ(Tensor().to_string(), "tensor(undefined)");
}

TEST(Tensor, DataPtrChecksTheDtype) {
  EXPECT_THROW(zeros({2}).data_ptr<double>(), Error);
  EXPECT_NE(zeros({2}).data_ptr<float>(), nullptr);
}

TEST(Tensor, InPlaceCopyBroadcastsAndCasts) {
  Tensor a = zeros({2, 3}, kFloat64);
  a.copy_(from_vector(std::vector<float>{1, 2, 3}, {3}));
  EXPECT_EQ(a.to_vector(), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  a.add_(ones({3}, kFloat64), 2.0);
  EXPECT_EQ(a.at({1, 2}), 5);
  a.mul_(0.5);
  EXPECT_EQ(a.at({1, 2}), 2.5);
}

TEST(Generator, SameSeedSameDrawsAndStateRoundTrips) {
  Generator g1(42), g2(42);
  EXPECT_EQ(uniform({5}, 0, 1, kFloat64, g1).to_vector(), uniform({5}, 0, 1, kFloat64, g2).to_vector());
  const auto state = g1.state();
  const auto next = normal({4}, 0, 1, kFloat64, g1).to_vector();
  Generator g3(7);
  g3.set_state(state);
  EXPECT_EQ(normal({4}, 0, 1, kFloat64, g3).to_vector(), next);
  EXPECT_THROW(g3.set_state({0, 0, 0, 0}), Error);
}

TEST(Generator, UniformAndNormalHaveTheRightMoments) {
  Generator g(1);
  const Tensor u = uniform({100000}, -1, 3, kFloat64, g);
  EXPECT_NEAR(mean(u).item(), 1.0, 0.02);
  EXPECT_GE(min(u).item(), -1.0);
  EXPECT_LT(max(u).item(), 3.0);
  const Tensor n = normal({100000}, 2, 0.5, kFloat64, g);
  EXPECT_NEAR(mean(n).item(), 2.0, 0.01);
  EXPECT_NEAR(std::sqrt(var(n).item()), 0.5, 0.01);
}

TEST(Generator, ManualSeedResetsTheDefaultGenerator) {
  manual_seed(3);
  const auto a = rand({3}).to_vector();
  manual_seed(3);
  EXPECT_EQ(rand({3}).to_vector(), a);
}

TEST(Threads, ResultsAreBitIdenticalForOneAndTwoThreads) {
  Generator g(5);
  const Tensor x = randn({300, 1000}, kFloat32, g);
  const Tensor w = randn({1000, 64}, kFloat32, g);
  const int before = get_num_threads();
  const auto run = [&] {
    const Tensor h = relu(add(x, 0.5));
    return std::make_pair(sum(h, {0}).to_vector(), sum(mul(h, h), {1}).to_vector());
  };
  set_num_threads(1);
  const auto one = run();
  set_num_threads(2);
  const auto two = run();
  set_num_threads(before);
  EXPECT_EQ(one, two);
  EXPECT_THROW(set_num_threads(0), Error);
  EXPECT_EQ(matmul(x, w).shape(), (Shape{300, 64}));
}

// Elementwise loops split the flat element range across threads, so chunks begin and end inside
// rows: a broadcast add over a transposed view (rows of 3 elements, strided) and a contiguous one
// (a single coalesced row) must give the values a naive loop gives, on 2 threads as on 1.
TEST(Threads, ElementwiseChunksMayStartInsideRows) {
  const int before = get_num_threads();
  const int64_t n = 70001;  // odd, and above the 32k-per-thread grain for 2 threads
  Tensor a = arange(0, static_cast<double>(3 * n), 1, kFloat64).reshape({n, 3}).t();  // (3, n), strided
  Tensor b = arange(0, static_cast<double>(n), 1, kFloat64);                          // broadcast over rows
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    const std::vector<double> got = add(a, b).to_vector(), flat = mul(b, 2.0).to_vector();
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < n; c += 997)
        ASSERT_EQ(got[static_cast<size_t>(r * n + c)], static_cast<double>(c * 3 + r + c)) << threads << " threads";
    ASSERT_EQ(got.back(), static_cast<double>((n - 1) * 3 + 2 + (n - 1)));
    for (int64_t c = 0; c < n; c += 1013) ASSERT_EQ(flat[static_cast<size_t>(c)], 2.0 * static_cast<double>(c));
    ASSERT_EQ(flat.back(), 2.0 * static_cast<double>(n - 1));
  }
  set_num_threads(before);
}

}  // namespace
}  // namespace eta
