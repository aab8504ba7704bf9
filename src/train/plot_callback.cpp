// PlotCallback: series collected per step and per epoch, drawn with SvgPlot.
#include "eta/train/plot_callback.h"

#include "eta/error.h"
#include "eta/tensor/factory.h"
#include "eta/train/smoothed_loss.h"
#include "eta/train/svg_plot.h"
#include "eta/train/trainer.h"

namespace eta::train {

namespace {
Tensor as_tensor(const std::vector<double>& v) { return from_vector(v, {static_cast<int64_t>(v.size())}, kFloat64); }
}  // namespace

PlotCallback::PlotCallback(std::string path, std::string title) : path_(std::move(path)), title_(std::move(title)) {
  ETA_CHECK(!path_.empty(), "PlotCallback: the path is empty");
}

void PlotCallback::on_step_end(Trainer&, const StepInfo& step) {
  step_loss_.push_back(step.loss);
  step_lr_.push_back(step.lrs.empty() ? 0.0 : step.lrs[0]);
}

void PlotCallback::on_epoch_end(Trainer&, const EpochInfo& epoch) {
  const auto it = epoch.metrics.find("val_loss");
  if (it != epoch.metrics.end()) {
    epoch_step_.push_back(static_cast<double>(step_loss_.size()));
    val_loss_.push_back(it->second);
  }
  save();
}

void PlotCallback::save() const {
  SvgPlot plot;
  std::vector<double> steps(step_loss_.size()), smooth(step_loss_.size());
  SmoothedLoss smoothed;
  for (size_t i = 0; i < steps.size(); ++i) {
    steps[i] = static_cast<double>(i + 1);
    smooth[i] = smoothed.add(step_loss_[i]);
  }
  auto& losses = plot.add_panel(title_, "step", "loss");
  losses.series.push_back({"train (per step)", steps, step_loss_, false, 0.3});
  losses.series.push_back({"train (smoothed)", steps, smooth, false});
  if (!val_loss_.empty()) losses.series.push_back({"validation (per epoch)", epoch_step_, val_loss_, true});
  auto& lrs = plot.add_panel("learning rate", "step", "learning rate");
  lrs.series.push_back({"lr", steps, step_lr_, false});
  plot.save(path_);
}

std::map<std::string, Tensor> PlotCallback::state_tensors() const {
  return {{"step_loss", as_tensor(step_loss_)},
          {"step_lr", as_tensor(step_lr_)},
          {"epoch_step", as_tensor(epoch_step_)},
          {"val_loss", as_tensor(val_loss_)}};
}

void PlotCallback::load_state(const std::map<std::string, std::string>&, const std::map<std::string, Tensor>& t) {
  ETA_CHECK(t.count("step_loss") && t.count("step_lr") && t.count("epoch_step") && t.count("val_loss"),
            "PlotCallback: the checkpoint has no plot series");
  step_loss_ = t.at("step_loss").to_vector();
  step_lr_ = t.at("step_lr").to_vector();
  epoch_step_ = t.at("epoch_step").to_vector();
  val_loss_ = t.at("val_loss").to_vector();
}

}  // namespace eta::train
