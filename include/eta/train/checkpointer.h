// Checkpointer: saves the Trainer's whole state (Trainer::save_checkpoint: model, optimizer,
// scheduler, callbacks, data cursor, random streams) every N optimizer steps and/or every M epochs,
// atomically. With keep_last = 1 it overwrites `path`; with keep_last = K > 1 it writes
// "<stem>.step<S><ext>" files and deletes all but the newest K. Resuming from a mid-epoch
// checkpoint continues bit for bit as the uninterrupted run.
#pragma once
#include <string>
#include <vector>

#include "eta/train/callback.h"

namespace eta::train {

struct CheckpointerOptions {
  int64_t every_steps = 0;   // 0: not by steps
  int64_t every_epochs = 1;  // 0: not by epochs
  int64_t keep_last = 1;
};

class Checkpointer : public Callback {
 public:
  Checkpointer(std::string path, CheckpointerOptions options = {});
  std::string name() const override { return "checkpointer"; }
  void on_step_end(Trainer& t, const StepInfo& step) override;
  void on_epoch_end(Trainer& t, const EpochInfo& epoch) override;
  std::map<std::string, std::string> state() const override;
  void load_state(const std::map<std::string, std::string>& state, const std::map<std::string, Tensor>&) override;

  // The files written and still kept, oldest first.
  const std::vector<std::string>& kept() const { return kept_; }

 private:
  void save(Trainer& t);
  std::string path_;
  CheckpointerOptions options_;
  std::vector<std::string> kept_;
};

}  // namespace eta::train
