// LambdaLR: the base learning rate times a user function of the step, one function for all groups
// or one per group (PyTorch's LambdaLR).
#pragma once
#include <functional>
#include <vector>

#include "eta/sched/scheduler.h"

namespace eta::sched {

class LambdaLR : public Scheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(optim::Optimizer& optimizer, Lambda lr_lambda);
  LambdaLR(optim::Optimizer& optimizer, std::vector<Lambda> lr_lambdas);
  double lr_at(int64_t step, size_t group = 0) const override;

 private:
  std::vector<Lambda> lambdas_;
};

}  // namespace eta::sched
