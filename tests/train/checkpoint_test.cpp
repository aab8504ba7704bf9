// Checkpoints: a round trip restores model, optimizer and scheduler exactly; a rejected load
// (other optimizer, truncated file, changed shapes) throws and leaves everything as it was.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eta/eta.h"
#include "eta/sched/step_lr.h"
#include "eta/train/checkpoint.h"

namespace eta::train {
namespace {

struct TrainingRun {
  nn::Sequential model{std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(8, 3)};
  optim::Adam optimizer{model.parameters()};
  sched::StepLR schedule{optimizer, 2, 0.5};
  void steps(int n, Generator& gen) {
    for (int i = 0; i < n; ++i) {
      optimizer.zero_grad();
      const Tensor x = randn({5, 4}, kFloat32, gen);
      cross_entropy(model.forward(x), from_vector(std::vector<int64_t>{0, 1, 2, 0, 1}, {5})).backward();
      optimizer.step();
      schedule.step();
    }
  }
};

std::string path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("eta_ckpt_" + std::to_string(getpid()) + "_" + name)).string();
}

TEST(Checkpoint, RoundTripContinuesBitForBit) {
  manual_seed(1);
  TrainingRun a;
  Generator ga(7);
  a.steps(3, ga);
  CheckpointExtras ex;
  ex.metadata["epoch"] = "3";
  ex.metadata["generator"] = generator_state_to_string(ga);
  ex.tensors["history"] = from_vector(std::vector<double>{1, 2, 3}, {3});
  save_checkpoint(path("a"), a.model, a.optimizer, &a.schedule, ex);

  manual_seed(2);  // different initial weights: the load must overwrite them all
  TrainingRun b;
  const CheckpointExtras back = load_checkpoint(path("a"), b.model, b.optimizer, &b.schedule);
  EXPECT_EQ(back.metadata.at("epoch"), "3");
  EXPECT_EQ(back.tensors.at("history").to_vector(), (std::vector<double>{1, 2, 3}));
  Generator gb(0);
  generator_state_from_string(gb, back.metadata.at("generator"));
  a.steps(3, ga);
  b.steps(3, gb);
  const auto pa = a.model.parameters(), pb = b.model.parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].to_vector(), pb[i].to_vector());
  EXPECT_EQ(a.optimizer.param_groups()[0].lr(), b.optimizer.param_groups()[0].lr());
  std::filesystem::remove(path("a"));
}

TEST(Checkpoint, RejectedLoadsLeaveEverythingAsItWas) {
  manual_seed(3);
  TrainingRun saved;
  Generator g(1);
  saved.steps(2, g);
  save_checkpoint(path("b"), saved.model, saved.optimizer, &saved.schedule);

  manual_seed(4);
  TrainingRun target;
  target.steps(1, g);
  const auto before = target.model.parameters()[0].to_vector();
  const double lr_before = target.optimizer.param_groups()[0].lr();

  // Another optimizer type.
  optim::SGD sgd(target.model.parameters(), {.lr = 0.1});
  EXPECT_THROW(load_checkpoint(path("b"), target.model, sgd, nullptr), Error);
  // A truncated file.
  const std::string truncated = path("truncated");
  {
    std::ifstream in(path("b"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_THROW(load_checkpoint(truncated, target.model, target.optimizer, &target.schedule), Error);
  // A model of other shapes: the error names the tensor and both shapes.
  nn::Sequential wider{std::make_shared<nn::Linear>(4, 9), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(9, 3)};
  optim::Adam wider_opt(wider.parameters());
  sched::StepLR wider_sched(wider_opt, 2, 0.5);
  try {
    load_checkpoint(path("b"), wider, wider_opt, &wider_sched);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0.weight"), std::string::npos) << e.what();
  }
  // Not a checkpoint at all: a plain safetensors file.
  io::save_safetensors(path("plain"), {{"x", zeros({1})}});
  EXPECT_THROW(load_checkpoint(path("plain"), target.model, target.optimizer, &target.schedule), Error);

  EXPECT_EQ(target.model.parameters()[0].to_vector(), before);
  EXPECT_EQ(target.optimizer.param_groups()[0].lr(), lr_before);
  for (const char* f : {"b", "truncated", "plain"}) std::filesystem::remove(path(f));
}

}  // namespace
}  // namespace eta::train
