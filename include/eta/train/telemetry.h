// Telemetry: one JSON line per optimizer step with the numbers that tell whether a learning rate
// is too large or too small — step, epoch, loss, the learning rate of every parameter group, the
// global gradient norm, and the update-to-weight ratio ‖Δθ‖/‖θ‖ globally and per parameter
// ("layers": {"fc1.weight": 1.2e-3, ...}); skipped (outlier) steps are marked and counted. Add it
// before any clipping callback to record the norm before clipping. Lines are written whole and
// flushed every epoch; a resumed run first cuts the file back to what its checkpoint had seen (or,
// when the file is not there, starts a new one at the resumed step).
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "eta/train/callback.h"

namespace eta::train {

class Telemetry : public Callback {
 public:
  explicit Telemetry(std::string path);
  ~Telemetry() override;
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  std::string name() const override { return "telemetry"; }
  // Writes output: only the main process (rank 0) runs it in a data-parallel run.
  bool main_process_only() const override { return true; }
  void on_train_begin(Trainer& t) override;
  void on_before_step(Trainer& t, StepInfo& step) override;
  void on_step_end(Trainer& t, const StepInfo& step) override;
  void on_epoch_end(Trainer& t, const EpochInfo& epoch) override;
  void on_train_end(Trainer& t) override;
  std::map<std::string, std::string> state() const override;
  void load_state(const std::map<std::string, std::string>& state, const std::map<std::string, Tensor>&) override;

  int64_t skipped_steps() const { return skipped_; }

 private:
  void open(bool truncate_to_saved);
  std::string path_;
  std::FILE* file_ = nullptr;
  long saved_bytes_ = 0;  // file length at the last checkpoint-able point (epoch end or state())
  bool resumed_ = false;
  int64_t skipped_ = 0;
  std::vector<std::string> names_;
  std::vector<Tensor> params_, before_;
};

}  // namespace eta::train
