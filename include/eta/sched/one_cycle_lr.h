// OneCycleLR (Smith & Topin 2018, "super-convergence"): the learning rate rises from
// max_lr/div_factor to max_lr over pct_start of total_steps, then anneals (cos or linear) to
// initial_lr/final_div_factor; momentum (or Adam's beta1) cycles the opposite way. PyTorch's
// OneCycleLR, including three_phase and its allowance of one step past the last one.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

struct OneCycleLROptions {
  std::vector<double> max_lr;    // one value for all groups, or one per group
  int64_t total_steps = 0;       // or epochs × steps_per_epoch
  int64_t epochs = 0;
  int64_t steps_per_epoch = 0;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // or "linear"
  bool cycle_momentum = true;
  std::vector<double> base_momentum{0.85};
  std::vector<double> max_momentum{0.95};
  double div_factor = 25.;
  double final_div_factor = 1e4;
  bool three_phase = false;
};

class OneCycleLR : public WithOptions<OneCycleLR, OneCycleLROptions> {
 public:
  OneCycleLR(optim::Optimizer& optimizer, const OneCycleLROptions& options);
  // Throws past total_steps (PyTorch allows last_epoch == total_steps, one step after the end).
  double lr_at(int64_t step, size_t group = 0) const override;
  // The momentum (or beta1) at `step`, which step() writes into the groups when cycling.
  double momentum_at(int64_t step, size_t group = 0) const;
  void apply_extras(int64_t step) override;
  int64_t total_steps() const { return total_steps_; }
  static Declaration<OneCycleLROptions> declaration();

 private:
  // Anneals (lr or momentum) through the phases; `which` 0 = lr, 1 = momentum.
  double at(int64_t step, size_t group, int which) const;

  struct Phase {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum;  // indices into the per-group values below
  };
  int64_t total_steps_;
  bool linear_, cycle_momentum_, use_beta1_ = false;
  std::vector<Phase> phases_;
  // Per group: [0] initial_lr, [1] max_lr, [2] min_lr; momenta [0] max, [1] base.
  std::vector<std::array<double, 3>> lrs_;
  std::vector<std::array<double, 2>> momenta_;
};

}  // namespace eta::sched
