// EarlyStopping: improvement test, patience count, best weights kept as copies.
#include "eta/train/early_stopping.h"

#include <cmath>
#include <cstdio>

#include "eta/error.h"
#include "train/number_text.h"
#include "eta/train/trainer.h"

namespace eta::train {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(std::move(options)) {
  ETA_CHECK(options_.patience >= 1 && options_.min_delta >= 0, "EarlyStopping: patience ", options_.patience,
            " and min_delta ", options_.min_delta, "; need patience >= 1 and min_delta >= 0");
}

void EarlyStopping::on_epoch_end(Trainer& t, const EpochInfo& e) {
  const auto it = e.metrics.find(options_.monitor);
  ETA_CHECK(it != e.metrics.end(), "EarlyStopping: monitors '", options_.monitor,
            "', which the epoch did not report (is a validation set set?)");
  const double v = it->second;
  const bool improved = std::isnan(best_) || (options_.maximize ? v > best_ + options_.min_delta
                                                                : v < best_ - options_.min_delta);
  if (improved) {
    best_ = v;
    best_epoch_ = e.epoch;
    wait_ = 0;
    if (options_.restore_best) {
      best_state_.clear();
      for (const auto& [k, x] : t.model().state_dict()) best_state_[k] = x.detach().clone();
    }
    return;
  }
  if (++wait_ >= options_.patience) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "early stopping: %s did not improve for %ld epochs (best %.6g at epoch %ld)",
                  options_.monitor.c_str(), static_cast<long>(wait_), best_, static_cast<long>(best_epoch_ + 1));
    t.stop(buf);
  }
}

void EarlyStopping::on_train_end(Trainer& t) {
  if (options_.restore_best && !best_state_.empty()) t.model().load_state_dict(best_state_);
}

std::map<std::string, std::string> EarlyStopping::state() const {
  return {{"best", text::exact(best_)}, {"best_epoch", std::to_string(best_epoch_)}, {"wait", std::to_string(wait_)}};
}

void EarlyStopping::load_state(const std::map<std::string, std::string>& s, const std::map<std::string, Tensor>& tensors) {
  ETA_CHECK(s.count("best") && s.count("best_epoch") && s.count("wait"), "EarlyStopping: the checkpoint has no state");
  best_ = std::stod(s.at("best"));
  best_epoch_ = std::stoll(s.at("best_epoch"));
  wait_ = std::stoll(s.at("wait"));
  best_state_ = tensors;
}

}  // namespace eta::train
