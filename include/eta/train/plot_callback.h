// PlotCallback: the training plot — the loss per step (faint), its smoothed curve (SmoothedLoss),
// the validation loss per epoch, and the learning rate per step — written as SVG after every epoch
// (atomically). Its series travel in checkpoints, so a resumed run's plot is the whole run's.
#pragma once
#include <string>
#include <vector>

#include "eta/train/callback.h"

namespace eta::train {

class PlotCallback : public Callback {
 public:
  explicit PlotCallback(std::string path, std::string title = "training");
  std::string name() const override { return "plot"; }
  // Writes output: only the main process (rank 0) runs it in a data-parallel run.
  bool main_process_only() const override { return true; }
  void on_step_end(Trainer& t, const StepInfo& step) override;
  void on_epoch_end(Trainer& t, const EpochInfo& epoch) override;
  std::map<std::string, std::string> state() const override { return {}; }
  std::map<std::string, Tensor> state_tensors() const override;
  void load_state(const std::map<std::string, std::string>&, const std::map<std::string, Tensor>& tensors) override;
  void save() const;

 private:
  std::string path_, title_;
  std::vector<double> step_loss_, step_lr_, epoch_step_, val_loss_;
};

}  // namespace eta::train
