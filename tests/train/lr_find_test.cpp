// The learning-rate range test: it restores parameters, buffers and optimizer state exactly, is
// deterministic, stops on divergence, and suggests a learning rate where the loss falls fastest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "eta/eta.h"
#include "eta/optim/adam.h"
#include "eta/optim/sgd.h"
#include "eta/train/lr_find.h"

namespace eta::testing {
namespace {

// Least squares on fixed data: loss = mean((X·w − y)²), X 32×4; curvature (and so the largest
// stable SGD step) is known from X.
struct Problem {
  Tensor X, y, w;
  Problem() {
    Generator gen(7);
    X = randn({32, 4}, kFloat64, gen);
    y = matmul(X, from_vector(std::vector<double>{1.0, -2.0, 0.5, 3.0}, {4, 1})) + randn({32, 1}, kFloat64, gen) * 0.1;
    w = zeros({4, 1}, kFloat64).requires_grad_();
  }
  Tensor loss() const { return mean(pow(matmul(X, w) - y, 2.0)); }
};

bool bit_equal(const Tensor& a, const Tensor& b) {
  const auto va = a.to_vector(), vb = b.to_vector();
  return va.size() == vb.size() && std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)) == 0;
}

TEST(LrFind, RestoresParametersBuffersAndOptimizerExactly) {
  Problem p;
  optim::Adam opt({p.w}, {.lr = 0.01});
  for (int i = 0; i < 5; ++i) {  // warm the moments so there is state to restore
    opt.zero_grad();
    p.loss().backward();
    opt.step();
  }
  Tensor buffer = from_vector(std::vector<double>{1, 2, 3}, {3});
  const Tensor w_before = p.w.clone(), buffer_before = buffer.clone();
  const auto state_before = opt.state_dict();
  const auto result = train::lr_find(
      {p.w}, opt,
      [&](int64_t) {
        {
          NoGradGuard g;
          buffer.add_(ones({3}, kFloat64), 1.0);  // what a batch-norm running mean would do
        }
        return p.loss();
      },
      {.start_lr = 1e-5, .end_lr = 1.0, .num_iter = 30}, {buffer});
  EXPECT_EQ(result.lrs.size(), 30u);
  EXPECT_TRUE(bit_equal(p.w, w_before));
  EXPECT_TRUE(bit_equal(buffer, buffer_before));
  EXPECT_FALSE(p.w.grad().defined());
  const auto state_after = opt.state_dict();
  ASSERT_EQ(state_after.size(), state_before.size());
  for (const auto& [k, t] : state_before) EXPECT_TRUE(bit_equal(state_after.at(k), t)) << k;
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.01);
}

TEST(LrFind, BuffersChangedDuringTheSweepAreRestored) {
  Problem p;
  optim::SGD opt({p.w}, {.lr = 0.1});
  Tensor buffer = zeros({2}, kFloat64);
  train::lr_find(
      {p.w}, opt,
      [&](int64_t) {
        {
          NoGradGuard g;
          buffer.add_(ones({2}, kFloat64), 1.0);
        }
        return p.loss();
      },
      {.num_iter = 10}, {buffer});
  EXPECT_EQ(buffer.to_vector(), (std::vector<double>{0, 0}));
}

TEST(LrFind, DeterministicAndStopsOnDivergence) {
  Problem p;
  optim::SGD opt({p.w}, {.lr = 0.1});
  const auto fn = [&](int64_t) { return p.loss(); };
  const train::LRFindOptions o{.start_lr = 1e-4, .end_lr = 100, .num_iter = 100};
  const auto a = train::lr_find({p.w}, opt, fn, o);
  const auto b = train::lr_find({p.w}, opt, fn, o);
  EXPECT_EQ(a.losses, b.losses);
  EXPECT_EQ(a.lrs, b.lrs);
  // SGD on this problem diverges once lr passes 2/λmax (about 1), long before lr = 100.
  EXPECT_TRUE(a.diverged);
  EXPECT_LT(a.lrs.size(), 100u);
  EXPECT_GT(a.smoothed.back(), 4 * *std::min_element(a.smoothed.begin(), a.smoothed.end() - 1));
  EXPECT_LT(a.lrs.back(), 10.0);
  // The sweep is exponential: equal ratios between consecutive rates.
  EXPECT_NEAR(a.lrs[1] / a.lrs[0], std::pow(1e6, 1.0 / 99), 1e-12);
  // Bias correction: the first smoothed value is the first loss itself.
  EXPECT_DOUBLE_EQ(a.smoothed[0], a.losses[0]);
}

TEST(LrFind, SuggestionsLieWhereTheLossFalls) {
  Problem p;
  optim::SGD opt({p.w}, {.lr = 0.1});
  const auto r = train::lr_find({p.w}, opt, [&](int64_t) { return p.loss(); },
                                {.start_lr = 1e-4, .end_lr = 10, .num_iter = 80});
  ASSERT_GE(r.steepest_index, 0);
  ASSERT_GE(r.min_index, 0);
  // The steepest fall is before the minimum, and a learning rate in the stable range trains.
  EXPECT_LT(r.steepest_index, r.min_index);
  EXPECT_GT(r.steepest_lr, 1e-3);
  EXPECT_LT(r.steepest_lr, 1.0);
  EXPECT_DOUBLE_EQ(r.min_lr_div10, r.lrs[static_cast<size_t>(r.min_index)] / 10);
  optim::SGD train_opt({p.w}, {.lr = r.steepest_lr});
  const double before = p.loss().item();
  for (int i = 0; i < 50; ++i) {
    train_opt.zero_grad();
    p.loss().backward();
    train_opt.step();
  }
  EXPECT_LT(p.loss().item(), 0.1 * before);
}

TEST(LrFind, LinearSweep) {
  Problem p;
  optim::SGD opt({p.w}, {.lr = 0.1});
  const auto r = train::lr_find({p.w}, opt, [&](int64_t) { return p.loss(); },
                                {.start_lr = 0.0, .end_lr = 0.1, .num_iter = 11, .step_mode = "linear"});
  ASSERT_EQ(r.lrs.size(), 11u);
  for (size_t i = 0; i < r.lrs.size(); ++i) EXPECT_NEAR(r.lrs[i], 0.01 * static_cast<double>(i), 1e-15);
}

TEST(LrFind, BadInputAndThrowingLossRestore) {
  Problem p;
  optim::SGD opt({p.w}, {.lr = 0.1});
  const auto fn = [&](int64_t) { return p.loss(); };
  EXPECT_THROW(train::lr_find({p.w}, opt, fn, {.start_lr = 0}), Error);
  EXPECT_THROW(train::lr_find({p.w}, opt, fn, {.start_lr = 1, .end_lr = 0.5}), Error);
  EXPECT_THROW(train::lr_find({p.w}, opt, fn, {.num_iter = 1}), Error);
  EXPECT_THROW(train::lr_find({p.w}, opt, fn, {.step_mode = "cosine"}), Error);
  EXPECT_THROW(train::lr_find({p.w}, opt, [&](int64_t) { return p.X; }), Error);  // not a scalar
  const Tensor before = p.w.clone();
  EXPECT_THROW(train::lr_find({p.w}, opt,
                              [&](int64_t step) {
                                if (step == 5) throw Error("data: batch 5 is corrupt");
                                return p.loss();
                              }),
               Error);
  EXPECT_TRUE(bit_equal(p.w, before));
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.1);
}

}  // namespace
}  // namespace eta::testing
