// GradientClipping and OutlierGuard (guards.h).
#include "eta/train/guards.h"

#include <cmath>
#include <sstream>

#include "eta/error.h"
#include "eta/train/grad_tools.h"
#include "eta/train/trainer.h"

namespace eta::train {

GradientClipping::GradientClipping(GradientClippingOptions options) : options_(options) {
  ETA_CHECK(options_.max_norm >= 0 && options_.max_value >= 0 && (options_.max_norm > 0 || options_.max_value > 0),
            "GradientClipping: max_norm ", options_.max_norm, " and max_value ", options_.max_value,
            "; give a positive max_norm, max_value or both");
}

void GradientClipping::on_before_step(Trainer& t, StepInfo& step) {
  if (step.skip) return;
  const std::vector<Tensor> params = t.model().parameters();
  if (options_.max_value > 0) clip_grad_value_(params, options_.max_value);
  if (options_.max_norm > 0) {
    const double norm = clip_grad_norm_(params, options_.max_norm);
    if (std::isnan(step.grad_norm)) step.grad_norm = norm;
  }
}

OutlierGuard::OutlierGuard(OutlierGuardOptions options) : options_(options) {
  ETA_CHECK(options_.window >= 2 && options_.min_steps >= 2 && options_.min_steps <= options_.window && options_.z > 0,
            "OutlierGuard: window ", options_.window, ", min_steps ", options_.min_steps, ", z ", options_.z,
            "; need 2 <= min_steps <= window and z > 0");
}

bool OutlierGuard::outlier(const std::deque<double>& h, double v) const {
  if (!std::isfinite(v)) return true;
  if (static_cast<int64_t>(h.size()) < options_.min_steps) return false;
  double mean = 0;
  for (double x : h) mean += x;
  mean /= static_cast<double>(h.size());
  double var = 0;
  for (double x : h) var += (x - mean) * (x - mean);
  const double sd = std::sqrt(var / static_cast<double>(h.size()));
  return sd > 0 && (v - mean) / sd > options_.z;
}

void OutlierGuard::on_before_step(Trainer& t, StepInfo& step) {
  if (step.skip) return;
  double norm = step.grad_norm;
  if (options_.watch_grad_norm && std::isnan(norm)) norm = step.grad_norm = grad_norm(t.model().parameters());
  const bool bad = (options_.watch_loss && outlier(losses_, step.loss)) ||
                   (options_.watch_grad_norm && outlier(norms_, norm));
  if (bad) {
    step.skip = true;
    ++skipped_;
    return;  // an outlier never enters the window, so it cannot pull the baseline up
  }
  const auto push = [&](std::deque<double>& h, double v) {
    h.push_back(v);
    if (static_cast<int64_t>(h.size()) > options_.window) h.pop_front();
  };
  if (options_.watch_loss) push(losses_, step.loss);
  if (options_.watch_grad_norm) push(norms_, norm);
}

namespace {
std::string to_text(const std::deque<double>& h) {
  std::ostringstream os;
  os.precision(17);
  for (double v : h) os << v << ' ';
  return os.str();
}
std::deque<double> from_text(const std::string& s) {
  std::deque<double> h;
  std::istringstream in(s);
  for (double v; in >> v;) h.push_back(v);
  return h;
}
}  // namespace

std::map<std::string, std::string> OutlierGuard::state() const {
  return {{"losses", to_text(losses_)}, {"norms", to_text(norms_)}, {"skipped", std::to_string(skipped_)}};
}

void OutlierGuard::load_state(const std::map<std::string, std::string>& s, const std::map<std::string, Tensor>&) {
  ETA_CHECK(s.count("losses") && s.count("norms") && s.count("skipped"), "OutlierGuard: the checkpoint has no state");
  losses_ = from_text(s.at("losses"));
  norms_ = from_text(s.at("norms"));
  skipped_ = std::stoll(s.at("skipped"));
}

}  // namespace eta::train
