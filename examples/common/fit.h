// fit_and_report: a training program's run on the library's Trainer — optimizer and schedule from
// the flags, callbacks for what the flags ask (progress, metrics, JSON lines, telemetry, clipping,
// early stopping, checkpoints, plot), resume with the run's settings checked, anomaly mode, and the
// final report (confusion matrix, or RMSE/MAE/R²). Header-only; examples only.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/run.h"
#include "eta/autograd/anomaly.h"
#include "eta/dist/context.h"
#include "eta/dist/ddp.h"
#include "eta/train/checkpointer.h"
#include "eta/train/early_stopping.h"
#include "eta/train/guards.h"
#include "eta/train/metrics_logger.h"
#include "eta/train/plot_callback.h"
#include "eta/train/progress_callback.h"
#include "eta/train/telemetry.h"
#include "eta/train/trainer.h"

namespace eta::examples {

// Everything a run needs besides its flags.
struct RunSetup {
  std::string program;          // "train_images", for messages
  std::string model_key;        // what the checkpoint records as the model ("lenet", "mlp", ...)
  std::string data_label;       // where the data came from, for the start-up line
  std::shared_ptr<nn::Module> model;
  const data::Dataset* train = nullptr;
  const data::Dataset* test = nullptr;
  data::TransformList train_transforms;  // augmentation + normalisation
  data::TransformList test_transforms;   // normalisation only
  train::Task task = train::Task::Classification;
  std::vector<std::string> class_names;
  std::map<std::string, Tensor> saved_with_model;  // e.g. Standardize's statistics
};

// Prints each epoch as one JSON object on stdout (--json true).
class JsonLines : public train::Callback {
 public:
  std::string name() const override { return "json_lines"; }
  bool main_process_only() const override { return true; }
  void on_epoch_end(train::Trainer&, const train::EpochInfo& e) override {
    std::printf("%s\n", train::epoch_json(e).c_str());
    std::fflush(stdout);
  }
};

namespace run_detail {

// The run's settings, saved in checkpoints and checked on resume before anything is restored.
inline train::CheckpointExtras run_extras(const RunConfig& c, const RunSetup& s) {
  train::CheckpointExtras ex;
  ex.tensors = s.saved_with_model;
  ex.metadata = {{"run.model", s.model_key},
                 {"run.seed", std::to_string(c.seed)},
                 {"run.batch", std::to_string(c.batch)},
                 {"run.train_size", std::to_string(s.train->size())}};
  return ex;
}

inline void check_resume(const RunConfig& c, const RunSetup& s, const train::CheckpointExtras& saved) {
  const auto meta = [&](const char* k) {
    ETA_CHECK(saved.metadata.count(k), "--resume: ", c.resume, " has no '", k, "' entry (not written by ", s.program, "?)");
    return saved.metadata.at(k);
  };
  ETA_CHECK(meta("run.model") == s.model_key, "--resume: ", c.resume, " holds a ", meta("run.model"),
            " model, but --model is ", s.model_key);
  ETA_CHECK(meta("run.seed") == std::to_string(c.seed), "--resume: ", c.resume, " was trained with --seed ",
            meta("run.seed"), "; pass the same seed");
  ETA_CHECK(meta("run.batch") == std::to_string(c.batch) && meta("run.train_size") == std::to_string(s.train->size()),
            "--resume: ", c.resume, " was trained with batch ", meta("run.batch"), " on ", meta("run.train_size"),
            " examples; this run has batch ", c.batch, " on ", s.train->size());
}

inline void add_callbacks(train::Trainer& t, const RunConfig& c, const RunSetup& s, std::FILE* human) {
  t.add(std::make_shared<train::ProgressCallback>(human));
  if (!c.telemetry.empty()) t.add(std::make_shared<train::Telemetry>(c.telemetry));
  if (c.clip_grad_norm > 0)
    t.add(std::make_shared<train::GradientClipping>(train::GradientClippingOptions{.max_norm = c.clip_grad_norm}));
  if (!c.metrics.empty()) t.add(std::make_shared<train::MetricsLogger>(c.metrics, ""));
  if (c.json) t.add(std::make_shared<JsonLines>());
  if (!c.plot.empty()) t.add(std::make_shared<train::PlotCallback>(c.plot, s.program + ": " + s.model->name()));
  if (c.early_stop > 0)
    t.add(std::make_shared<train::EarlyStopping>(
        train::EarlyStoppingOptions{.monitor = "test_loss", .patience = c.early_stop}));
  if (!c.checkpoint.empty())
    t.add(std::make_shared<train::Checkpointer>(c.checkpoint,
                                                train::CheckpointerOptions{.every_steps = c.checkpoint_every, .keep_last = c.checkpoint_keep}));
}

inline void report(const train::Evaluation& ev, const RunSetup& s, std::FILE* human) {
  if (ev.task == train::Task::Classification) {
    std::fprintf(human, "\ntest accuracy %.4f (%ld examples), test loss %.4f\n", ev.accuracy(),
                 static_cast<long>(ev.examples), ev.loss);
    std::fprintf(human, "confusion matrix (rows: true class, columns: predicted):\n%s",
                 ev.confusion.to_string(s.class_names).c_str());
  } else {
    std::fprintf(human, "\ntest RMSE %.6g, MAE %.6g, R^2 %.4f (%ld examples)\n", ev.rmse, ev.mae, ev.r2,
                 static_cast<long>(ev.examples));
  }
}

}  // namespace run_detail

// Trains s.model on s.train for c.epochs, evaluating on s.test after each; returns the exit status.
// Under mpirun every process runs this as one data-parallel replica: --batch is the global batch
// (each rank takes its slice), figures are reduced over the ranks and printed once, by rank 0.
inline int fit_and_report(RunConfig& c, RunSetup& s) {
  using namespace run_detail;
  const int64_t world = dist::world_size();
  ETA_CHECK(c.batch >= world, s.program, ": --batch ", c.batch, " is the global batch and must be at least the ",
            world, " processes");
  data::DataLoader loader(*s.train, {.batch_size = c.batch, .seed = c.seed, .transforms = s.train_transforms,
                                     .rank = dist::rank(), .world_size = world, .num_workers = c.workers});
  ETA_CHECK(loader.num_batches() > 0, s.program, ": no training batches (", s.train->size(), " examples)");
  auto optimizer = optim::make_optimizer(c.optimizer, s.model->parameters(), c.opt_flags);
  bool plateau = false;
  auto scheduler = make_schedule(c, *optimizer, loader.num_batches() * c.epochs, plateau);
  train::Trainer t(*s.model, *optimizer, loader, {.epochs = c.epochs, .task = s.task, .scheduler_metric = "test_loss"});
  std::unique_ptr<dist::DistributedDataParallel> replicas;  // rank 0's initial weights on every rank
  if (world > 1) t.set_data_parallel((replicas = std::make_unique<dist::DistributedDataParallel>(*s.model)).get());
  const std::string layout = world > 1 ? dist::report() : "";
  std::FILE* null_sink = dist::is_main() ? nullptr : std::fopen("/dev/null", "w");
  const std::shared_ptr<std::FILE> close_sink(null_sink, [](std::FILE* f) { if (f) std::fclose(f); });
  t.set_scheduler(scheduler.get(), plateau ? train::SchedulerStep::OnMetric : train::SchedulerStep::PerBatch);
  t.set_validation(s.test, s.test_transforms, "test_");
  t.set_checkpoint_extras(run_extras(c, s));
  std::FILE* human = null_sink ? null_sink : c.json ? stderr : stdout;  // rank 0 alone prints
  std::fputs(layout.c_str(), human);
  add_callbacks(t, c, s, human);
  if (!c.resume.empty()) {
    t.load_checkpoint(c.resume, [&](const train::CheckpointExtras& saved) { check_resume(c, s, saved); });
    std::fprintf(human, "resumed %s at epoch %ld, step %ld\n", c.resume.c_str(), static_cast<long>(t.epoch() + 1),
                 static_cast<long>(t.step()));
  }
  const std::string processes = world > 1 ? std::to_string(world) + " processes x " : "";
  std::fprintf(human, "%s: %s (%ld parameters) on %s: %ld train / %ld test examples, batch %ld, %s lr %s%s%s, %s%d threads, %s\n",
               s.program.c_str(), s.model->name().c_str(), static_cast<long>(s.model->num_parameters()),
               s.data_label.c_str(), static_cast<long>(s.train->size()), static_cast<long>(s.test->size()),
               static_cast<long>(c.batch), optimizer->name().c_str(), c.opt_flags["lr"].c_str(),
               scheduler ? ", schedule " : "", scheduler ? scheduler->name().c_str() : "", processes.c_str(),
               get_num_threads(), blas_info().c_str());
  {
    autograd::DetectAnomalyGuard anomaly(c.detect_anomaly);
    t.fit();
  }
  if (t.stopped()) std::fprintf(human, "%s\n", t.stop_reason().c_str());
  report(t.evaluate(*s.test, s.test_transforms), s, human);
  return 0;
}

}  // namespace eta::examples
