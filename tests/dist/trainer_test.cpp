// The Trainer as a data-parallel replica: the same epochs as one process on the global batch
// (float64), the same figures on every rank, and a checkpoint written by N processes resumed by N
// that continues bit for bit as the uninterrupted run.
#include <gtest/gtest.h>

#include <cstdio>

#include "dist/dist_support.h"
#include "eta/dist/collectives.h"
#include "eta/dist/ddp.h"
#include "eta/optim/sgd.h"
#include "eta/train/trainer.h"
#include "models/mlp.h"

namespace eta {
namespace {

struct TrainingRun {
  std::shared_ptr<data::TensorDataset> train = dist_test::dataset(50, {20}, 4, kFloat64, 1);
  std::shared_ptr<data::TensorDataset> valid = dist_test::dataset(23, {20}, 4, kFloat64, 2);
  std::shared_ptr<models::MLP> model;
  std::unique_ptr<optim::SGD> opt;
  std::unique_ptr<data::DataLoader> loader;
  std::unique_ptr<dist::DistributedDataParallel> ddp;
  std::unique_ptr<train::Trainer> trainer;

  TrainingRun(bool distributed, int64_t epochs) {
    manual_seed(21);
    model = std::make_shared<models::MLP>(std::vector<int64_t>{20, 12, 4});
    model->to(kFloat64);
    opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
    const int64_t W = distributed ? dist::world_size() : 1, r = distributed ? dist::rank() : 0;
    loader = std::make_unique<data::DataLoader>(*train, data::DataLoaderOptions{.batch_size = 8, .seed = 4, .rank = r,
                                                                                .world_size = W});
    trainer = std::make_unique<train::Trainer>(*model, *opt, *loader, train::TrainerOptions{.epochs = epochs, .accumulate = 2});
    trainer->set_validation(valid.get());
    if (distributed) trainer->set_data_parallel((ddp = std::make_unique<dist::DistributedDataParallel>(*model)).get());
  }
};

TEST(Trainer, ReplicasTrainAsOneProcessOnTheGlobalBatch) {
  TrainingRun many(true, 3), one(false, 3);
  const auto a = many.trainer->fit(), b = one.trainer->fit();
  ASSERT_EQ(a.size(), b.size());
  for (size_t e = 0; e < a.size(); ++e) {
    EXPECT_EQ(a[e].examples, b[e].examples) << "global examples per epoch";
    EXPECT_NEAR(a[e].train_loss, b[e].train_loss, 1e-12 * std::abs(b[e].train_loss));
    EXPECT_NEAR(a[e].metrics.at("val_loss"), b[e].metrics.at("val_loss"), 1e-12 * b[e].metrics.at("val_loss"));
    EXPECT_EQ(a[e].metrics.at("val_acc"), b[e].metrics.at("val_acc"));
    EXPECT_EQ(a[e].validation.examples, 23) << "each validation example counted once";
  }
  EXPECT_LE(dist_test::relative_difference(many.model->parameters(), one.model->parameters()), 1e-12);
  EXPECT_TRUE(many.ddp->replicas_equal());
}

TEST(Trainer, CheckpointOfNProcessesResumesBitForBit) {
  const std::string path =
      std::string(ETA_BINARY_DIR) + "/dist_resume_np" + std::to_string(dist::world_size()) + ".safetensors";
  TrainingRun whole(true, 3);
  whole.trainer->fit();
  TrainingRun first(true, 1);  // one epoch, then a checkpoint
  first.trainer->fit();
  first.trainer->save_checkpoint(path);
  TrainingRun resumed(true, 3);
  resumed.trainer->load_checkpoint(path);
  EXPECT_EQ(resumed.trainer->epoch(), 1);
  resumed.trainer->fit();
  EXPECT_TRUE(dist_test::bit_equal(resumed.model->parameters(), whole.model->parameters()));
  EXPECT_TRUE(resumed.ddp->replicas_equal());
  dist::barrier();
  if (dist::is_main()) std::remove(path.c_str());
}

TEST(Trainer, AMissingCheckpointIsAnErrorOnEveryRank) {
  TrainingRun run(true, 1);
  EXPECT_THROW(run.trainer->load_checkpoint(std::string(ETA_BINARY_DIR) + "/no_such_checkpoint.safetensors"), Error);
}

}  // namespace
}  // namespace eta
