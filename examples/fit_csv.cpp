// A CSV file to a trained classifier with the Trainer in 30 lines: read_csv -> seeded split ->
// Standardize fitted on the training part -> DataLoader -> MLP -> Trainer with progress, metrics,
// early stopping and checkpoints. Usage: fit_csv FILE.csv TARGET_COLUMN
#include "eta/data/csv.h"
#include "eta/eta.h"
#include "models/mlp.h"

int main(int argc, char** argv) {
  using namespace eta;
  if (argc != 3) return std::fprintf(stderr, "usage: fit_csv FILE.csv TARGET_COLUMN\n"), 2;
  manual_seed(0);
  const auto table = std::make_shared<data::CsvDataset>(data::read_csv(argv[1], {.target = argv[2]}));
  const auto parts = data::random_split(table, std::vector<double>{0.8, 0.2}, /*seed=*/0);
  const data::TransformList standardize{data::Standardize::fit(*parts[0])};
  data::DataLoader loader(*parts[0], {.batch_size = 16, .transforms = standardize});

  models::MLP model({table->num_features(), 32, table->num_classes()});
  optim::AdamW optimizer(model.parameters(), {.lr = 3e-3});
  train::Trainer trainer(model, optimizer, loader, {.epochs = 40});
  trainer.set_validation(parts[1].get(), standardize)
      .add(std::make_shared<train::ProgressCallback>())
      .add(std::make_shared<train::MetricsLogger>("fit_csv.csv", ""))
      .add(std::make_shared<train::EarlyStopping>(train::EarlyStoppingOptions{.patience = 5}))
      .add(std::make_shared<train::Checkpointer>("fit_csv.safetensors"));
  trainer.fit();
  const train::Evaluation ev = trainer.evaluate(*parts[1], standardize);
  std::printf("validation accuracy %.3f on %ld rows (%s)\n", ev.accuracy(), static_cast<long>(ev.examples),
              trainer.stopped() ? trainer.stop_reason().c_str() : "all epochs");
}
