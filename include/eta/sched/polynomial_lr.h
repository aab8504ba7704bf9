// PolynomialLR: decays the learning rate to 0 over total_iters steps as (1 − t/total_iters)^power
// (PyTorch's PolynomialLR).
#pragma once
#include "eta/sched/scheduler.h"

namespace eta::sched {

struct PolynomialLROptions {
  int64_t total_iters = 5;
  double power = 1.0;
};

class PolynomialLR : public WithOptions<PolynomialLR, PolynomialLROptions> {
 public:
  PolynomialLR(optim::Optimizer& optimizer, const PolynomialLROptions& options);
  explicit PolynomialLR(optim::Optimizer& optimizer, int64_t total_iters = PolynomialLROptions{}.total_iters,
                        double power = PolynomialLROptions{}.power)
      : PolynomialLR(optimizer, PolynomialLROptions{total_iters, power}) {}
  double lr_at(int64_t step, size_t group = 0) const override;
  double chained_lr(double current, int64_t step, size_t group) const override;
  static Declaration<PolynomialLROptions> declaration();

 private:
  int64_t total_iters_;
  double power_;
};

}  // namespace eta::sched
