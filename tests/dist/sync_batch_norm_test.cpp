// SyncBatchNorm over N processes equals BatchNorm over the global batch: outputs, input gradients,
// summed weight and bias gradients, running statistics (float64, 1e-12). It passes the float64
// finite-difference gradcheck at every number of processes.
#include <gtest/gtest.h>

#include "dist/dist_support.h"
#include "eta/autograd/gradcheck.h"
#include "eta/dist/ddp.h"
#include "eta/dist/sync_batch_norm.h"

namespace eta {
namespace {

// This rank's rows of `t` when each rank takes a contiguous slice of `n` rows (the loader's split).
Tensor my_rows(const Tensor& t) {
  const int64_t n = t.size(0), W = dist::world_size(), r = dist::rank();
  const int64_t base = n / W, extra = n % W, lo = r * base + std::min(r, extra);
  return t.slice(0, lo, lo + base + (r < extra ? 1 : 0));
}

void compare(const Shape& shape) {
  manual_seed(11);
  const Tensor x_all = randn(shape, kFloat64);
  const Tensor dy_all = randn(shape, kFloat64);
  nn::SyncBatchNorm sync(shape[1]);
  nn::BatchNorm2d plain_2d(shape[1]);
  nn::BatchNorm1d plain_1d(shape[1]);
  nn::BatchNorm& plain = shape.size() == 4 ? static_cast<nn::BatchNorm&>(plain_2d) : plain_1d;
  sync.to(kFloat64);
  plain.to(kFloat64);
  manual_seed(12);
  sync.weight.detach().copy_(randn({shape[1]}, kFloat64));
  plain.weight.detach().copy_(sync.weight.detach());
  dist::DistributedDataParallel ddp(sync);

  Tensor x = my_rows(x_all).clone().requires_grad_();
  const Tensor y = sync.forward(x);
  sum(mul(y, my_rows(dy_all))).backward();
  ddp.sum_gradients();  // the weight and bias gradients: each rank's share, summed

  Tensor xr = x_all.clone().requires_grad_();
  const Tensor yr = plain.forward(xr);
  sum(mul(yr, dy_all)).backward();

  const auto rel = [](const Tensor& a, const Tensor& b) { return dist_test::relative_difference({a}, {b}); };
  EXPECT_LE(rel(y, my_rows(yr)), 1e-12);
  EXPECT_LE(rel(x.grad(), my_rows(xr.grad())), 1e-12);
  EXPECT_LE(rel(sync.weight.grad(), plain.weight.grad()), 1e-12);
  EXPECT_LE(rel(sync.bias.grad(), plain.bias.grad()), 1e-12);
  EXPECT_LE(rel(sync.running_mean, plain.running_mean), 1e-12);
  EXPECT_LE(rel(sync.running_var, plain.running_var), 1e-12);
  sync.eval();
  plain.eval();
  EXPECT_LE(rel(sync.forward(my_rows(x_all)), my_rows(plain.forward(x_all))), 1e-12);
}

TEST(SyncBatchNorm, EqualsBatchNormOnTheGlobalBatch2d) { compare({7, 3, 4, 5}); }
TEST(SyncBatchNorm, EqualsBatchNormOnTheGlobalBatch1d) { compare({9, 4}); }

// Every rank holds the same inputs and gradcheck perturbs the same element on all of them at once,
// so the finite difference measures the total derivative Σ_s ∂y_r/∂x_s; by the ranks' symmetry
// that equals what each rank's backward returns (Σ_s ∂y_s/∂x_r, through the reduced sums). The
// check is therefore exact at any number of processes, and runs at 1, 2 and 3.
TEST(SyncBatchNorm, GradcheckWithTheSameInputsOnEveryRank) {
  manual_seed(3);
  const Tensor x = randn({4, 3, 2}, kFloat64).requires_grad_();
  const Tensor w = randn({3}, kFloat64).requires_grad_();
  const Tensor b = randn({3}, kFloat64).requires_grad_();
  const GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& in) { return nn::sync_batch_norm(in[0], Tensor(), Tensor(), in[1], in[2], 0.1, 1e-5); },
      {x, w, b});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(SyncBatchNorm, RejectsAWrongInput) {
  nn::SyncBatchNorm bn(3);
  EXPECT_THROW(bn.forward(randn({4, 5})), Error);
  EXPECT_THROW(bn.forward(randn({4})), Error);
}

}  // namespace
}  // namespace eta
