// The custom callback shown in README.md ("Training loop"), compiled and run so the README stays true.
#include <gtest/gtest.h>

#include "eta/eta.h"

namespace {
using namespace eta;

// README: begin
// Stops once the training loss of an epoch is below `target`, and remembers the largest
// gradient norm it saw (measuring it if no earlier callback did).
struct StopBelow : train::Callback {
  explicit StopBelow(double target) : target(target) {}
  std::string name() const override { return "stop_below"; }
  void on_before_step(train::Trainer& t, train::StepInfo& s) override {
    if (std::isnan(s.grad_norm)) s.grad_norm = train::grad_norm(t.model().parameters());
    max_grad_norm = std::max(max_grad_norm, s.grad_norm);
  }
  void on_epoch_end(train::Trainer& t, const train::EpochInfo& e) override {
    if (e.train_loss < target) t.stop("loss below " + std::to_string(target));
  }
  double target, max_grad_norm = 0;
};
// README: end

TEST(ReadmeCallback, StopsTrainingAndMeasures) {
  manual_seed(0);
  const Tensor x = randn({64, 2});
  const Tensor y = gt(x.select(1, 0), x.select(1, 1)).to(kInt64);
  const data::TensorDataset set(x, y, 2);
  data::DataLoader loader(set, {.batch_size = 16});
  nn::Sequential model{std::make_shared<nn::Linear>(2, 2)};
  optim::Adam optimizer(model.parameters(), {.lr = 0.05});
  train::Trainer trainer(model, optimizer, loader, {.epochs = 500});
  auto stop = std::make_shared<StopBelow>(0.2);
  trainer.add(stop);
  const auto epochs = trainer.fit();
  EXPECT_LT(epochs.size(), 500u);
  EXPECT_LT(epochs.back().train_loss, 0.2);
  EXPECT_NE(trainer.stop_reason().find("loss below 0.2"), std::string::npos);
  EXPECT_GT(stop->max_grad_norm, 0);
}

}  // namespace
