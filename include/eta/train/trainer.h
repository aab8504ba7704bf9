// Trainer: the training loop as a library. It owns the step loop — batches from a DataLoader,
// forward, loss, backward, gradient accumulation, the optimizer step, the scheduler (per batch, per
// epoch, or on a validation metric) — evaluates on a validation set after every epoch, switches
// train()/eval(), stops on a non-finite loss naming epoch, step and learning rate, and saves and
// resumes exactly (mid-epoch too) through checkpoints that hold model, optimizer, scheduler,
// callbacks, the data cursor and every random stream. Everything else is a callback (callback.h).
// A hand-written loop over the same pieces stays possible; the README shows both.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eta/data/data_loader.h"
#include "eta/nn/module.h"
#include "eta/optim/optimizer.h"
#include "eta/sched/scheduler.h"
#include "eta/train/callback.h"
#include "eta/train/checkpoint.h"
#include "eta/train/data_parallel.h"
#include "eta/train/evaluate.h"

namespace eta::train {

enum class SchedulerStep {
  PerBatch,  // after every optimizer step: the scheduler's arguments count steps
  PerEpoch,  // after every epoch
  OnMetric,  // after every epoch with a validation metric (ReduceLROnPlateau)
};

struct TrainerOptions {
  int64_t epochs = 1;
  Task task = Task::Classification;  // the default loss (cross-entropy or MSE) and the metrics
  int64_t accumulate = 1;            // batches whose gradients make one optimizer step
  SchedulerStep scheduler_step = SchedulerStep::PerBatch;
  std::string scheduler_metric = "val_loss";  // for OnMetric
  int64_t top_k = 5;                          // also report val_top<k> for classification (0: off)
  int64_t eval_batch_size = 1000;
};

class Trainer {
 public:
  // The loss of a batch: mean over its examples. Defaults to cross_entropy (classification) or
  // mse_loss (regression).
  using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;

  // Every reference must outlive the Trainer. `train` decides batch size, shuffling and transforms.
  Trainer(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train, TrainerOptions options = {});

  Trainer& set_loss(LossFn loss);
  Trainer& set_scheduler(sched::Scheduler* scheduler, SchedulerStep when = SchedulerStep::PerBatch);
  // Evaluated after every epoch, in eval mode, without autograd, with `transforms` (normally the
  // training loader's deterministic ones, e.g. its normalisation). Its metrics are named
  // "<prefix>loss", "<prefix>acc", ... (a program evaluating on its test set passes "test_").
  Trainer& set_validation(const data::Dataset* validation, data::TransformList transforms = {},
                          std::string prefix = "val_");
  Trainer& add(std::shared_ptr<Callback> callback);
  // Trains as one of several data-parallel replicas (e.g. eta::dist::DistributedDataParallel):
  // the loader must take this rank's slice of every global batch (DataLoaderOptions::rank and
  // world_size); gradients, step losses and evaluations are reduced over the ranks, so every rank
  // sees the global figures; callbacks that only write output run on rank 0; checkpoints are
  // written by rank 0 and every rank learns whether that worked. Null: one process.
  Trainer& set_data_parallel(DataParallel* replicas);
  DataParallel* data_parallel() const { return replicas_; }
  bool is_main_process() const { return replicas_ == nullptr || replicas_->is_main(); }

  // Trains until options.epochs are done (continuing from the current epoch and batch after a
  // resume) or a callback stops it. Returns the epochs finished in this call.
  std::vector<EpochInfo> fit();
  // Ends training after the current step; `reason` is kept for the caller (stop_reason()).
  void stop(const std::string& reason);
  bool stopped() const { return stop_requested_; }
  const std::string& stop_reason() const { return stop_reason_; }

  // Loss and metrics on a whole data set (classification: loss, acc, top-k, confusion matrix;
  // regression: loss, rmse, mae, r2), in eval mode; the model's mode is restored afterwards.
  Evaluation evaluate(const data::Dataset& set, const data::TransformList& transforms = {}) const;

  // Atomic checkpoint of everything a resume needs; load_checkpoint() puts it all back so fit()
  // continues exactly where the saved run was, bit for bit. The Trainer must be built as the saved
  // one was (same model, optimizer, scheduler and callbacks by name). Extras given to
  // set_checkpoint_extras() (e.g. Standardize statistics, a program's run settings) are saved
  // too, and load_checkpoint() returns the saved ones; `check` (if given) sees them before
  // anything is restored and may throw to refuse the file.
  void save_checkpoint(const std::string& path) const;
  CheckpointExtras load_checkpoint(const std::string& path,
                                   const std::function<void(const CheckpointExtras&)>& check = nullptr);
  Trainer& set_checkpoint_extras(CheckpointExtras extras);

  nn::Module& model() const { return *model_; }
  optim::Optimizer& optimizer() const { return *optimizer_; }
  sched::Scheduler* scheduler() const { return scheduler_; }
  data::DataLoader& loader() const { return *train_; }
  const TrainerOptions& options() const { return options_; }
  int64_t epoch() const { return epoch_; }  // the epoch in progress (or next)
  int64_t step() const { return step_; }    // optimizer steps taken
  const std::vector<std::shared_ptr<Callback>>& callbacks() const { return callbacks_; }
  const std::vector<EpochInfo>& history() const { return history_; }

 private:
  EpochInfo run_epoch();
  void take_step(StepInfo& info);
  void check_finite(double loss, int64_t batch_index) const;
  std::string generator_of_this_rank(const CheckpointExtras& saved, const std::string& path) const;
  void finish_epoch(EpochInfo& info);
  template <class F>
  void each_callback(const F& f);  // the callbacks this process runs, in order

  nn::Module* model_;
  optim::Optimizer* optimizer_;
  data::DataLoader* train_;
  TrainerOptions options_;
  LossFn loss_;
  sched::Scheduler* scheduler_ = nullptr;
  DataParallel* replicas_ = nullptr;
  SchedulerStep scheduler_step_ = SchedulerStep::PerBatch;
  const data::Dataset* validation_ = nullptr;
  data::TransformList validation_transforms_;
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::vector<EpochInfo> history_;
  CheckpointExtras checkpoint_extras_;
  std::string validation_prefix_ = "val_";
  int64_t epoch_ = 0, step_ = 0;
  // Running sums of the epoch in progress, saved with mid-epoch checkpoints.
  double epoch_loss_sum_ = 0, epoch_seconds_ = 0;
  int64_t epoch_examples_ = 0, epoch_steps_ = 0, epoch_skipped_ = 0;
  bool stop_requested_ = false;
  std::string stop_reason_;
};

}  // namespace eta::train
