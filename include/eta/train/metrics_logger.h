// MetricsLogger: per-epoch metrics to a CSV file and/or a JSON-lines file — epoch, training loss,
// every validation metric (loss, accuracy, top-k or RMSE, MAE, R²), the learning rate of the first
// group, seconds and examples per second; the JSON lines also carry the confusion matrix for
// classification. Both files are rewritten atomically after every epoch, so a crash or a throwing
// callback never leaves half a file, and a resumed run continues them exactly (a logger added only
// on resume starts from the Trainer's history, without the earlier confusion matrices).
#pragma once
#include <string>
#include <vector>

#include "eta/train/callback.h"

namespace eta::train {

class MetricsLogger : public Callback {
 public:
  // Either path may be empty (not written).
  MetricsLogger(std::string csv_path, std::string jsonl_path);
  std::string name() const override { return "metrics"; }
  // Writes output: only the main process (rank 0) runs it in a data-parallel run.
  bool main_process_only() const override { return true; }
  void on_train_begin(Trainer& t) override;
  void on_epoch_end(Trainer& t, const EpochInfo& epoch) override;
  std::map<std::string, std::string> state() const override;
  void load_state(const std::map<std::string, std::string>& state, const std::map<std::string, Tensor>&) override;

  const std::vector<std::string>& json_lines() const { return json_lines_; }

 private:
  std::string csv_path_, jsonl_path_;
  std::vector<std::string> columns_;  // fixed by the first epoch
  std::vector<std::string> csv_rows_, json_lines_;
  void add(const EpochInfo& epoch);
  void write() const;
};

// One epoch as a JSON object (no newline), for MetricsLogger and programs' --json output.
std::string epoch_json(const EpochInfo& epoch);

}  // namespace eta::train
