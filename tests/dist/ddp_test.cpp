// DistributedDataParallel at any number of processes: the first broadcast makes differently seeded
// replicas equal; N processes train as one process on the same global batch (float64 within 1e-12
// relative per step, float32 within 1e-5), for an MLP and LeNet-5, with an uneven last batch too;
// replicas stay bit-identical and runs repeat bit for bit; no_sync accumulation; unused parameters.
#include <gtest/gtest.h>

#include <functional>

#include "dist/dist_support.h"
#include "eta/dist/collectives.h"
#include "eta/dist/ddp.h"
#include "eta/optim/adam.h"
#include "eta/optim/sgd.h"
#include "models/lenet5.h"
#include "models/mlp.h"

namespace eta {
namespace {

using dist_test::dataset;
using dist_test::relative_difference;
using ModelFactory = std::function<std::shared_ptr<nn::Module>()>;

std::shared_ptr<nn::Module> mlp() { return std::make_shared<models::MLP>(std::vector<int64_t>{20, 16, 4}); }
std::shared_ptr<nn::Module> lenet() { return std::make_shared<models::LeNet5>(); }

struct Case {
  ModelFactory make;
  Shape example;
  int64_t classes, examples, batch;
  DType dtype;
  double tolerance;
};

// Trains a replica on this rank's slices and a one-process reference on the whole global batches,
// checking after every step that they agree and that all replicas hold the same bits.
void train_against_reference(const Case& c, bool use_adam) {
  const auto data = dataset(c.examples, c.example, c.classes, c.dtype);
  manual_seed(100 + static_cast<uint64_t>(dist::rank()));  // replicas start different...
  auto model = c.make();
  model->to(c.dtype);
  manual_seed(100);  // ...and the reference starts as rank 0 did
  auto reference = c.make();
  reference->to(c.dtype);
  dist::DistributedDataParallel ddp(*model);
  EXPECT_TRUE(ddp.replicas_equal());
  EXPECT_TRUE(dist_test::bit_equal(model->parameters(), reference->parameters())) << "the broadcast of rank 0's weights";

  const auto make_opt = [&](nn::Module& m) -> std::unique_ptr<optim::Optimizer> {
    if (use_adam) return std::make_unique<optim::Adam>(m.parameters(), optim::AdamOptions{.lr = 1e-2});
    return std::make_unique<optim::SGD>(m.parameters(), optim::SGDOptions{.lr = 0.05, .momentum = 0.9});
  };
  auto opt = make_opt(*model), ref_opt = make_opt(*reference);
  data::DataLoader loader(*data, {.batch_size = c.batch, .seed = 7, .rank = dist::rank(), .world_size = dist::world_size()});
  data::DataLoader ref_loader(*data, {.batch_size = c.batch, .seed = 7});
  double worst = 0;
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    loader.set_epoch(epoch);
    ref_loader.set_epoch(epoch);
    for (data::Batch b, r; loader.next(b) && ref_loader.next(r);) {
      opt->zero_grad();
      if (b.target.size(0) > 0) cross_entropy(model->forward(b.input), b.target).backward();
      ddp.sync_gradients(b.target.size(0));
      opt->step();
      ref_opt->zero_grad();
      cross_entropy(reference->forward(r.input), r.target).backward();
      ref_opt->step();
      worst = std::max(worst, relative_difference(model->parameters(), reference->parameters()));
    }
  }
  EXPECT_LE(worst, c.tolerance) << "N processes vs one on the global batch, " << dtype_name(c.dtype);
  EXPECT_TRUE(ddp.replicas_equal());
}

TEST(DistributedDataParallel, MlpFloat64EqualsOneProcess) {
  train_against_reference({mlp, {20}, 4, 96, 24, kFloat64, 1e-12}, /*use_adam=*/false);
}

TEST(DistributedDataParallel, MlpFloat32EqualsOneProcessWithAdam) {
  train_against_reference({mlp, {20}, 4, 96, 24, kFloat32, 1e-5}, /*use_adam=*/true);
}

TEST(DistributedDataParallel, LeNetFloat64EqualsOneProcess) {
  train_against_reference({lenet, {1, 28, 28}, 10, 24, 12, kFloat64, 1e-12}, /*use_adam=*/false);
}

TEST(DistributedDataParallel, LeNetFloat32EqualsOneProcess) {
  train_against_reference({lenet, {1, 28, 28}, 10, 24, 12, kFloat32, 1e-5}, /*use_adam=*/false);
}

// 29 examples in global batches of 10: the last global batch has 9, split unevenly over the ranks.
TEST(DistributedDataParallel, UnevenLastBatchIsExact) {
  train_against_reference({mlp, {20}, 4, 29, 10, kFloat64, 1e-12}, /*use_adam=*/false);
}

// The same seeds give the same bits: the ordered reduction does not depend on MPI's algorithms.
TEST(DistributedDataParallel, RepeatsBitForBit) {
  const auto run = [] {
    const auto data = dataset(64, {20}, 4, kFloat32);
    manual_seed(5);
    auto model = mlp();
    dist::DistributedDataParallel ddp(*model);
    optim::Adam opt(model->parameters(), {.lr = 1e-2});
    data::DataLoader loader(*data, {.batch_size = 16, .seed = 3, .rank = dist::rank(), .world_size = dist::world_size()});
    for (data::Batch b; loader.next(b);) {
      opt.zero_grad();
      cross_entropy(model->forward(b.input), b.target).backward();
      ddp.sync_gradients(b.target.size(0));
      opt.step();
    }
    EXPECT_TRUE(ddp.replicas_equal());
    return dist_test::snapshot(model->parameters());
  };
  const auto first = run(), second = run();
  EXPECT_TRUE(dist_test::bit_equal(first, second));
}

// Two backward passes under no_sync, then one synced: the same as one backward over both batches.
TEST(DistributedDataParallel, NoSyncAccumulatesLikeOneLargeBatch) {
  const auto data = dataset(48, {20}, 4, kFloat64);
  manual_seed(9);
  auto model = mlp();
  model->to(kFloat64);
  manual_seed(9);
  auto reference = mlp();
  reference->to(kFloat64);
  dist::DistributedDataParallel ddp(*model);
  // Each rank's slice of two global batches of 24; every loss is the mean over this rank's two slices.
  data::DataLoader loader(*data, {.batch_size = 24, .shuffle = false, .rank = dist::rank(), .world_size = dist::world_size()});
  data::Batch first, second;
  loader.next(first);
  loader.next(second);
  const int64_t local = first.target.size(0) + second.target.size(0);
  {
    auto guard = ddp.no_sync();
    if (first.target.size(0) > 0)
      mul(cross_entropy(model->forward(first.input), first.target, Reduction::Sum), 1.0 / static_cast<double>(local))
          .backward();
    ddp.sync_gradients(local);  // inside no_sync: nothing happens
  }
  if (second.target.size(0) > 0)
    mul(cross_entropy(model->forward(second.input), second.target, Reduction::Sum), 1.0 / static_cast<double>(local))
        .backward();
  ddp.sync_gradients(local);
  EXPECT_EQ(ddp.syncs(), 1);
  data::DataLoader all(*data, {.batch_size = 48, .shuffle = false});
  data::Batch whole;
  all.next(whole);
  cross_entropy(reference->forward(whole.input), whole.target).backward();
  std::vector<Tensor> grads, ref_grads;
  for (const Tensor& p : model->parameters()) grads.push_back(p.grad());
  for (const Tensor& p : reference->parameters()) ref_grads.push_back(p.grad());
  EXPECT_LE(relative_difference(grads, ref_grads), 1e-12);
}

// A module with a parameter that only rank 0 uses and one that no rank uses.
class PartlyUsed : public nn::Module {
 public:
  PartlyUsed() {
    w = register_parameter("w", ones({3}));
    rank0_only = register_parameter("rank0_only", ones({3}));
    never = register_parameter("never", ones({3}));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = mul(x, w);
    if (dist::rank() == 0) y = add(y, rank0_only);
    return y;
  }
  Tensor w, rank0_only, never;
};

TEST(DistributedDataParallel, ParametersWithoutGradientsNeitherHangNorDiverge) {
  PartlyUsed m;
  dist::DistributedDataParallel ddp(m);
  sum(m.forward(full({3}, 2.0))).backward();
  ddp.sync_gradients(1);
  const double W = static_cast<double>(dist::world_size());
  EXPECT_EQ(m.w.grad().to_vector(), std::vector<double>(3, 2.0));  // (2 * 1 on each rank) weighted 1/W, summed
  ASSERT_TRUE(m.rank0_only.grad().defined()) << "counted as zeros elsewhere, so every rank has rank 0's share";
  EXPECT_NEAR(m.rank0_only.grad().to_vector()[0], 1.0 / W, 1e-7);
  EXPECT_FALSE(m.never.grad().defined()) << "no rank had a gradient: none appears";
}

TEST(DistributedDataParallel, DifferentModelsAreAnErrorOnEveryRank) {
  models::MLP m(std::vector<int64_t>{20, 16 + (dist::rank() == 1 ? 1 : 0), 4});
  if (dist::world_size() == 1) {
    EXPECT_NO_THROW(dist::DistributedDataParallel{m});
    return;
  }
  try {
    dist::DistributedDataParallel ddp(m);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the ranks' models differ: rank 0 has parameter"), std::string::npos) << e.what();
  }
}

TEST(Collectives, SumBroadcastGatherAndTheDebugCheck) {
  const int64_t W = dist::world_size(), r = dist::rank();
  Tensor t = full({5}, static_cast<double>(r + 1), kFloat64);
  dist::all_reduce(t);
  EXPECT_EQ(t.to_vector(), std::vector<double>(5, static_cast<double>(W * (W + 1) / 2)));
  Tensor b = full({2, 2}, static_cast<double>(r), kFloat32);
  dist::broadcast(b, W - 1);
  EXPECT_EQ(b.to_vector(), std::vector<double>(4, static_cast<double>(W - 1)));
  const Tensor g = dist::all_gather(full({2}, static_cast<double>(r), kFloat32));
  EXPECT_EQ(g.shape(), (Shape{W, 2}));
  EXPECT_EQ(g.to_vector().back(), static_cast<double>(W - 1));
  const auto texts = dist::all_gather(std::string(static_cast<size_t>(r + 1), 'x'));
  ASSERT_EQ(static_cast<int64_t>(texts.size()), W);
  EXPECT_EQ(texts.back().size(), static_cast<size_t>(W));
  // ETA_DIST_DEBUG: different element counts are an error on every rank, not mixed data.
  setenv("ETA_DIST_DEBUG", "1", 1);
  std::vector<double> v(static_cast<size_t>(3 + (r == 1 ? 1 : 0)), 1.0);
  if (W == 1) {
    EXPECT_NO_THROW(dist::all_reduce(v));
  } else {
    try {
      dist::all_reduce(v);
      ADD_FAILURE() << "expected the debug check to throw";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("rank 1: all_reduce(double) of 4 elements"), std::string::npos) << e.what();
    }
  }
  unsetenv("ETA_DIST_DEBUG");
}

}  // namespace
}  // namespace eta
