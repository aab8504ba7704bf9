// A CSV file to a trained classifier with the Trainer in 30 lines: read_csv -> seeded split ->
// Standardize fitted on the training part -> DataLoader -> MLP -> Trainer with progress, metrics,
// early stopping and checkpoints. Usage: fit_csv FILE.csv TARGET_COLUMN; under mpirun -n N it
// trains data-parallel (batch 16 is the global batch; rank 0 prints and writes).
#include "eta/data/csv.h"
#include "eta/dist/context.h"
#include "eta/dist/ddp.h"
#include "eta/eta.h"
#include "models/mlp.h"

int run(char** argv) {
  using namespace eta;
  manual_seed(0);
  const auto table = std::make_shared<data::CsvDataset>(data::read_csv(argv[1], {.target = argv[2]}));
  const auto parts = data::random_split(table, std::vector<double>{0.8, 0.2}, /*seed=*/0);
  const data::TransformList standardize{data::Standardize::fit(*parts[0])};
  data::DataLoader loader(*parts[0], {.batch_size = 16, .transforms = standardize, .rank = dist::rank(),
                                      .world_size = dist::world_size()});

  models::MLP model({table->num_features(), 32, table->num_classes()});
  optim::AdamW optimizer(model.parameters(), {.lr = 3e-3});
  train::Trainer trainer(model, optimizer, loader, {.epochs = 40});
  dist::DistributedDataParallel replicas(model);  // on one process it changes nothing
  trainer.set_data_parallel(&replicas).set_validation(parts[1].get(), standardize)
      .add(std::make_shared<train::ProgressCallback>())
      .add(std::make_shared<train::MetricsLogger>("fit_csv.csv", ""))
      .add(std::make_shared<train::EarlyStopping>(train::EarlyStoppingOptions{.patience = 5}))
      .add(std::make_shared<train::Checkpointer>("fit_csv.safetensors"));
  trainer.fit();
  const train::Evaluation ev = trainer.evaluate(*parts[1], standardize);
  if (dist::is_main())
    std::printf("validation accuracy %.3f on %ld rows (%s)\n", ev.accuracy(), static_cast<long>(ev.examples),
                trainer.stopped() ? trainer.stop_reason().c_str() : "all epochs");
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: fit_csv FILE.csv TARGET_COLUMN\n"), 2;
  return eta::dist::run_main("fit_csv", &argc, &argv, [&] { return run(argv); });
}
