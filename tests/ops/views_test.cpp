// An op on a strided view equals the op on its contiguous copy, bit for bit.
#include <gtest/gtest.h>

#include "ops/op_cases.h"
#include "support/fixtures.h"

namespace eta::testing {
namespace {

TEST(Views, StridedInputsGiveBitIdenticalResultsToContiguousCopies) {
  const auto fixtures = load_cases("ops_cases.txt");
  int checked = 0;
  for (const OpCase& c : op_cases()) {
    const FixtureCase& f = fixtures.at(c.name);
    bool has_strided = false;
    std::vector<Tensor> strided, dense;
    for (const auto& in : f.inputs) {
      strided.push_back(make_input(in, kFloat64));
      FixtureTensor plain = in;
      if (plain.kind == "strided") plain.kind = "plain", has_strided = true;
      dense.push_back(make_input(plain, kFloat64));
    }
    if (!has_strided) continue;
    EXPECT_EQ(c.fn(strided).to_vector(), c.fn(dense).to_vector()) << c.name;
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST(Views, ViewsShareStorageAndWritesShowThrough) {
  Tensor x = arange(12, kFloat32).reshape({3, 4});
  Tensor col = x.select(1, 2);
  EXPECT_TRUE(col.shares_storage(x));
  col.fill_(-1);
  EXPECT_EQ(x.at({0, 2}), -1);
  EXPECT_EQ(x.at({2, 2}), -1);
  EXPECT_EQ(x.at({2, 3}), 11);
  Tensor t = x.t();
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.at({3, 1}), x.at({1, 3}));
  EXPECT_TRUE(t.contiguous().is_contiguous());
  EXPECT_FALSE(t.contiguous().shares_storage(x));
}

// relu of a temporary writes over it only when nothing else can see the write: no graph being
// recorded, no other handle, no view, not a leaf that requires grad. Values never differ.
TEST(Views, ReluOfATemporaryWritesOverItOnlyWhenNothingElseSeesIt) {
  const Tensor a = randn({4, 5}), a_before = a.clone(), expected = relu(a);
  Tensor sum = add(a, 0.0);
  const float* at = sum.data_ptr<float>();
  EXPECT_NE(relu(std::move(sum)).data_ptr<float>(), at);  // grad mode on: a new tensor
  NoGradGuard no_grad;
  sum = add(a, 0.0);
  at = sum.data_ptr<float>();
  const Tensor over = relu(std::move(sum));
  EXPECT_EQ(over.data_ptr<float>(), at);
  EXPECT_EQ(over.to_vector(), expected.to_vector());
  Tensor view = a.reshape({5, 4});  // shares a's memory
  EXPECT_EQ(relu(std::move(view)).to_vector(), relu(a_before.reshape({5, 4})).to_vector());
  Tensor leaf = a.clone().requires_grad_();
  const Tensor from_leaf = relu(std::move(leaf));
  EXPECT_FALSE(from_leaf.requires_grad());
  EXPECT_EQ(from_leaf.to_vector(), expected.to_vector());
  EXPECT_EQ(a.to_vector(), a_before.to_vector());
}

TEST(Views, SliceStepAndNegativeBoundsFollowPython) {
  const Tensor x = arange(10, kFloat64);
  EXPECT_EQ(x.slice(0, -4, 10).to_vector(), (std::vector<double>{6, 7, 8, 9}));
  EXPECT_EQ(x.slice(0, 1, 8, 3).to_vector(), (std::vector<double>{1, 4, 7}));
  EXPECT_EQ(x.slice(0, 5, 100).numel(), 5);
  EXPECT_EQ(x.slice(0, 7, 3).numel(), 0);
}

TEST(Views, ExpandHasZeroStrideAndReshapeOfItCopies) {
  Tensor x = from_vector(std::vector<float>{1, 2, 3}, {3, 1});
  Tensor e = x.expand({3, 4});
  EXPECT_EQ(e.strides(), (Shape{1, 0}));
  Tensor r = e.reshape({12});
  EXPECT_EQ(r.at({5}), 2);
  EXPECT_FALSE(r.shares_storage(x));
}

}  // namespace
}  // namespace eta::testing
