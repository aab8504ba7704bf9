// Telemetry: parameter snapshots around the optimizer step, norms in double, JSON lines appended.
#include "eta/train/telemetry.h"

#include <unistd.h>

#include <cmath>
#include <sstream>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "train/number_text.h"
#include "eta/ops/elementwise.h"
#include "eta/train/grad_tools.h"
#include "eta/train/trainer.h"

namespace eta::train {

Telemetry::Telemetry(std::string path) : path_(std::move(path)) {
  ETA_CHECK(!path_.empty(), "Telemetry: the file path is empty");
}

Telemetry::~Telemetry() {
  if (file_) std::fclose(file_);
}

void Telemetry::open(bool truncate_to_saved) {
  if (file_) return;
  if (truncate_to_saved && ::access(path_.c_str(), F_OK) == 0) {
    // Lines written after the checkpoint we resume from belong to the lost future: cut them.
    ETA_CHECK(::truncate(path_.c_str(), saved_bytes_) == 0, "Telemetry: cannot cut ", path_, " back to ", saved_bytes_,
              " bytes on resume");
    file_ = std::fopen(path_.c_str(), "ab");
  } else {  // a new run, or a resumed one writing to a new file (from the resumed step on)
    file_ = std::fopen(path_.c_str(), "wb");
  }
  ETA_CHECK(file_ != nullptr, "Telemetry: cannot open ", path_, " for writing");
}

void Telemetry::on_train_begin(Trainer& t) {
  open(resumed_);
  names_.clear();
  params_.clear();
  for (const auto& [n, p] : t.model().named_parameters()) {
    names_.push_back(n);
    params_.push_back(p);
  }
}

void Telemetry::on_before_step(Trainer&, StepInfo& step) {
  if (std::isnan(step.grad_norm)) step.grad_norm = grad_norm(params_);
  NoGradGuard no_grad;
  before_.clear();
  for (const Tensor& p : params_) before_.push_back(p.detach().clone());
}

void Telemetry::on_step_end(Trainer&, const StepInfo& step) {
  std::ostringstream os;
  os << "{\"step\": " << step.step + 1 << ", \"epoch\": " << step.epoch + 1 << ", \"loss\": " << text::json_number(step.loss, 9)
     << ", \"lr\": [";
  for (size_t g = 0; g < step.lrs.size(); ++g) os << (g ? ", " : "") << text::json_number(step.lrs[g], 9);
  os << "], \"grad_norm\": " << text::json_number(step.grad_norm, 9);
  double delta_sq = 0, weight_sq = 0;
  std::ostringstream layers;
  NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    const double d = step.skip ? 0.0 : l2_norm(sub(params_[i].detach(), before_[i]));
    const double w = l2_norm(before_[i]);
    delta_sq += d * d;
    weight_sq += w * w;
    layers << (i ? ", " : "") << '"' << names_[i] << "\": " << text::json_number(w > 0 ? d / w : 0.0, 9);
  }
  if (step.skip) ++skipped_;
  os << ", \"update_ratio\": " << text::json_number(weight_sq > 0 ? std::sqrt(delta_sq / weight_sq) : 0.0, 9) << ", \"skipped\": "
     << (step.skip ? "true" : "false") << ", \"skipped_total\": " << skipped_ << ", \"layers\": {" << layers.str()
     << "}}\n";
  const std::string line = os.str();
  ETA_CHECK(std::fwrite(line.data(), 1, line.size(), file_) == line.size(), "Telemetry: writing ", path_, " failed");
  before_.clear();
}

void Telemetry::on_epoch_end(Trainer&, const EpochInfo&) {
  std::fflush(file_);
  saved_bytes_ = std::ftell(file_);
}

void Telemetry::on_train_end(Trainer&) {
  if (!file_) return;
  std::fflush(file_);
  saved_bytes_ = std::ftell(file_);
  std::fclose(file_);
  file_ = nullptr;
  resumed_ = true;  // a later fit() appends after what is there
}

std::map<std::string, std::string> Telemetry::state() const {
  long bytes = saved_bytes_;
  if (file_) {
    std::fflush(file_);
    bytes = std::ftell(file_);
  }
  return {{"bytes", std::to_string(bytes)}, {"skipped", std::to_string(skipped_)}};
}

void Telemetry::load_state(const std::map<std::string, std::string>& s, const std::map<std::string, Tensor>&) {
  ETA_CHECK(s.count("bytes") && s.count("skipped"), "Telemetry: the checkpoint has no telemetry state");
  saved_bytes_ = std::stol(s.at("bytes"));
  skipped_ = std::stoll(s.at("skipped"));
  resumed_ = true;
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

}  // namespace eta::train
