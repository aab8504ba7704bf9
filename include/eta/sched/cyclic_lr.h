// CyclicLR (Smith 2017, "Cyclical Learning Rates"): the learning rate moves between base_lr and
// max_lr in triangles of step_size_up + step_size_down steps, with amplitude scaled per cycle
// (triangular, triangular2: halved each cycle, exp_range: gamma^step) or by a custom scale_fn;
// momentum cycles inversely. PyTorch 1.13's CyclicLR (which cycles "momentum" only, not beta1).
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

struct CyclicLROptions {
  std::vector<double> base_lr;  // one value for all groups, or one per group
  std::vector<double> max_lr;
  int64_t step_size_up = 2000;
  int64_t step_size_down = 0;  // 0: same as step_size_up (PyTorch's None)
  std::string mode = "triangular";  // triangular, triangular2, exp_range
  double gamma = 1.0;
  std::function<double(double)> scale_fn;  // replaces mode when set
  std::string scale_mode = "cycle";        // with scale_fn: its argument is the cycle or the step ("iterations")
  bool cycle_momentum = true;
  std::vector<double> base_momentum{0.8};
  std::vector<double> max_momentum{0.9};
};

class CyclicLR : public WithOptions<CyclicLR, CyclicLROptions> {
 public:
  CyclicLR(optim::Optimizer& optimizer, CyclicLROptions options);
  double lr_at(int64_t step, size_t group = 0) const override;
  double momentum_at(int64_t step, size_t group = 0) const;
  void apply_extras(int64_t step) override;
  static Declaration<CyclicLROptions> declaration();

 private:
  // The triangle's height in [0, 1] and the mode's amplitude scale at `step`.
  std::pair<double, double> height_and_scale(int64_t step) const;

  CyclicLROptions o_;
  double total_size_, step_ratio_;
  bool scale_by_cycle_;
  std::vector<double> max_lrs_, base_momenta_, max_momenta_;
};

}  // namespace eta::sched
