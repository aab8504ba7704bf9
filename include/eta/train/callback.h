// Callback: a small class with hooks the Trainer calls around training — train begin/end, epoch
// begin/end, before each optimizer step (after backward: gradients may be read, clipped, or the
// step vetoed) and after it. Callbacks run in the order they were added, may stop training through
// Trainer::stop(), and save and restore their own state in the Trainer's checkpoints.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"
#include "eta/train/evaluate.h"

namespace eta::train {

class Trainer;

// One training step as callbacks see it.
struct StepInfo {
  int64_t epoch = 0;        // 0-based
  int64_t step = 0;         // optimizer steps taken before this one (the global step index)
  int64_t batch_index = 0;  // position of the (last) batch of this step within its epoch
  int64_t examples = 0;     // examples in this step's batches
  double loss = 0;          // mean loss of this step's batches
  std::vector<double> lrs;  // each parameter group's learning rate for this step
  double grad_norm = std::numeric_limits<double>::quiet_NaN();  // set by the first callback that measures it
  bool skip = false;        // set in on_before_step to skip this update (the gradients are dropped)
};

// One finished epoch: the training loss and the validation metrics ("val_loss", "val_acc",
// "val_top5", "val_rmse", "val_mae", "val_r2", ...; empty without a validation set).
struct EpochInfo {
  int64_t epoch = 0;  // 0-based
  double train_loss = 0;
  int64_t examples = 0, steps = 0, skipped_steps = 0;
  double seconds = 0;
  double lr = 0;  // the first parameter group's learning rate at the epoch's end
  std::map<std::string, double> metrics;
  bool has_validation = false;
  std::string metric_prefix = "val_";  // of the metrics' names (Trainer::set_validation)
  Evaluation validation;  // the whole evaluation (confusion matrix too) when has_validation
};

class Callback {
 public:
  virtual ~Callback() = default;
  // A unique name: the key of its state in checkpoints ("early_stopping", "telemetry", ...).
  virtual std::string name() const = 0;
  // True for callbacks that only print or write files (progress, metrics, plots): in a
  // data-parallel run the Trainer calls them on the main process (rank 0) alone. Callbacks that
  // change training (clipping, early stopping, checkpoints) run on every rank and see the same,
  // globally reduced figures there.
  virtual bool main_process_only() const { return false; }

  virtual void on_train_begin(Trainer&) {}
  virtual void on_train_end(Trainer&) {}
  virtual void on_epoch_begin(Trainer&, int64_t /*epoch*/) {}
  virtual void on_epoch_end(Trainer&, const EpochInfo&) {}
  virtual void on_before_step(Trainer&, StepInfo&) {}
  virtual void on_step_end(Trainer&, const StepInfo&) {}

  // Its state as text entries and tensors (e.g. the best weights so far), saved in checkpoints and
  // handed back on resume.
  virtual std::map<std::string, std::string> state() const { return {}; }
  virtual std::map<std::string, Tensor> state_tensors() const { return {}; }
  virtual void load_state(const std::map<std::string, std::string>& /*state*/,
                          const std::map<std::string, Tensor>& /*tensors*/) {}
};

}  // namespace eta::train
