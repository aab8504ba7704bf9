// ProgressCallback: today's progress bar for the Trainer — on a terminal one live line per epoch
// (batch i/n, loss, learning rate, examples/s, ETA), in a pipe one plain line per epoch with the
// training loss and the validation metrics.
#pragma once
#include <cstdio>
#include <memory>

#include "eta/train/callback.h"
#include "eta/train/progress.h"

namespace eta::train {

class ProgressCallback : public Callback {
 public:
  explicit ProgressCallback(std::FILE* out = stdout, int interactive = -1) : out_(out), interactive_(interactive) {}
  std::string name() const override { return "progress"; }
  // Writes output: only the main process (rank 0) runs it in a data-parallel run.
  bool main_process_only() const override { return true; }
  void on_epoch_begin(Trainer& t, int64_t epoch) override;
  void on_step_end(Trainer& t, const StepInfo& step) override;
  void on_epoch_end(Trainer& t, const EpochInfo& epoch) override;

 private:
  std::FILE* out_;
  int interactive_;
  std::unique_ptr<ProgressBar> bar_;
  int64_t examples_ = 0;
};

// "train_loss 0.4123 val_loss 0.3977 val_acc 0.8612 ... 2.1s": the one-line form of an epoch.
std::string epoch_summary(const EpochInfo& epoch);

}  // namespace eta::train
