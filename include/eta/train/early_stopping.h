// EarlyStopping: stops training when a validation metric has not improved by more than min_delta
// for `patience` epochs, and (restore_best) puts the best epoch's weights and buffers back when
// training ends. Its best value, wait count and best weights travel in checkpoints.
#pragma once
#include <limits>
#include <string>

#include "eta/train/callback.h"

namespace eta::train {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  bool maximize = false;  // true for accuracies
  int64_t patience = 5;
  double min_delta = 0;
  bool restore_best = true;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  std::string name() const override { return "early_stopping"; }
  void on_epoch_end(Trainer& t, const EpochInfo& epoch) override;
  void on_train_end(Trainer& t) override;
  std::map<std::string, std::string> state() const override;
  std::map<std::string, Tensor> state_tensors() const override { return best_state_; }
  void load_state(const std::map<std::string, std::string>& state, const std::map<std::string, Tensor>& tensors) override;

  double best() const { return best_; }
  int64_t best_epoch() const { return best_epoch_; }  // 0-based, -1 before the first epoch

 private:
  EarlyStoppingOptions options_;
  double best_ = std::numeric_limits<double>::quiet_NaN();
  int64_t best_epoch_ = -1, wait_ = 0;
  std::map<std::string, Tensor> best_state_;
};

}  // namespace eta::train
