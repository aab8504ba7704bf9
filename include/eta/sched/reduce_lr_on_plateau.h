// ReduceLROnPlateau: multiplies the learning rate by `factor` when a watched metric (validation
// loss, accuracy) has not improved for `patience` steps, then waits `cooldown` steps (PyTorch's
// ReduceLROnPlateau). Its schedule depends on the metric, so it has no lr_at(); step(metric) drives it.
#pragma once
#include <string>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // "max" when higher is better
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // or "abs"
  int64_t cooldown = 0;
  std::vector<double> min_lr{0.0};  // one value for all groups, or one per group
  double eps = 1e-8;                // smaller reductions are skipped
};

class ReduceLROnPlateau : public WithOptions<ReduceLROnPlateau, ReduceLROnPlateauOptions> {
 public:
  ReduceLROnPlateau(optim::Optimizer& optimizer, const ReduceLROnPlateauOptions& options = {});
  // Throws: the learning rate depends on the metrics observed.
  double lr_at(int64_t step, size_t group = 0) const override;
  void step(double metric) override;
  // Throws: a plateau scheduler needs the metric.
  void step() override;

  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  StateDict state_dict() const override;
  static Declaration<ReduceLROnPlateauOptions> declaration();
  void load_state_dict(const StateDict& state) override;

 private:
  bool is_better(double a, double best) const;

  ReduceLROnPlateauOptions o_;
  std::vector<double> min_lrs_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0;
};

}  // namespace eta::sched
