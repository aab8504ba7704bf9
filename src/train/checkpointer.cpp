// Checkpointer: when to save, file names, and pruning to the newest K.
#include "eta/train/checkpointer.h"

#include <cstdio>
#include <sstream>

#include "eta/error.h"
#include "eta/train/trainer.h"

namespace eta::train {

Checkpointer::Checkpointer(std::string path, CheckpointerOptions options) : path_(std::move(path)), options_(options) {
  ETA_CHECK(!path_.empty(), "Checkpointer: the path is empty");
  ETA_CHECK(options_.every_steps >= 0 && options_.every_epochs >= 0 && options_.keep_last >= 1,
            "Checkpointer: every_steps ", options_.every_steps, ", every_epochs ", options_.every_epochs, ", keep_last ",
            options_.keep_last, "; need non-negative intervals and keep_last >= 1");
}

void Checkpointer::save(Trainer& t) {
  std::string file = path_;
  if (options_.keep_last > 1) {
    const size_t dot = path_.find_last_of('.');
    const size_t slash = path_.find_last_of('/');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    const std::string tag = ".step" + std::to_string(t.step());
    file = has_ext ? path_.substr(0, dot) + tag + path_.substr(dot) : path_ + tag;
  }
  if (kept_.empty() || kept_.back() != file) kept_.push_back(file);
  t.save_checkpoint(file);  // the state it saves already lists `file` among the kept
  while (static_cast<int64_t>(kept_.size()) > options_.keep_last) {
    if (t.is_main_process()) std::remove(kept_.front().c_str());  // rank 0 alone writes and deletes
    kept_.erase(kept_.begin());
  }
}

void Checkpointer::on_step_end(Trainer& t, const StepInfo& step) {
  if (options_.every_steps > 0 && !step.skip && t.step() % options_.every_steps == 0) save(t);
}

void Checkpointer::on_epoch_end(Trainer& t, const EpochInfo& epoch) {
  if (options_.every_epochs > 0 && (epoch.epoch + 1) % options_.every_epochs == 0) save(t);
}

std::map<std::string, std::string> Checkpointer::state() const {
  std::string files;
  for (const auto& f : kept_) files += f + "\n";
  return {{"kept", files}};
}

void Checkpointer::load_state(const std::map<std::string, std::string>& s, const std::map<std::string, Tensor>&) {
  kept_.clear();
  if (s.count("kept")) {
    std::istringstream in(s.at("kept"));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) kept_.push_back(line);
  }
}

}  // namespace eta::train
