// ProgressCallback: a ProgressBar per epoch (created lazily, so a resumed mid-epoch run has one).
#include "eta/train/progress_callback.h"

#include <cstdio>

#include "eta/train/trainer.h"

namespace eta::train {

std::string epoch_summary(const EpochInfo& e) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "train_loss %.4f", e.train_loss);
  std::string s = buf;
  for (const auto& [k, v] : e.metrics) {
    std::snprintf(buf, sizeof buf, " %s %.4g", k.c_str(), v);
    s += buf;
  }
  if (e.skipped_steps > 0) s += " skipped_steps " + std::to_string(e.skipped_steps);
  std::snprintf(buf, sizeof buf, " %.1fs", e.seconds);
  return s + buf;
}

void ProgressCallback::on_epoch_begin(Trainer& t, int64_t epoch) {
  bar_ = std::make_unique<ProgressBar>(
      "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(t.options().epochs), t.loader().num_batches(), out_,
      interactive_);
  examples_ = 0;
}

void ProgressCallback::on_step_end(Trainer& t, const StepInfo& step) {
  if (!bar_) on_epoch_begin(t, t.epoch());
  examples_ += step.examples;
  bar_->update(step.batch_index + 1, step.loss, step.lrs.empty() ? 0.0 : step.lrs[0], examples_);
}

void ProgressCallback::on_epoch_end(Trainer& t, const EpochInfo& epoch) {
  if (!bar_) on_epoch_begin(t, epoch.epoch);
  bar_->finish(epoch_summary(epoch));
  bar_.reset();
}

}  // namespace eta::train
