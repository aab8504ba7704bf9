// LambdaLR: lr_t = base · lambda(t).
#include "eta/sched/lambda_lr.h"

#include "eta/error.h"

namespace eta::sched {

LambdaLR::LambdaLR(optim::Optimizer& optimizer, Lambda lr_lambda)
    : LambdaLR(optimizer, std::vector<Lambda>(optimizer.param_groups().size(), lr_lambda)) {}

LambdaLR::LambdaLR(optim::Optimizer& optimizer, std::vector<Lambda> lr_lambdas)
    : Scheduler("LambdaLR", optimizer), lambdas_(std::move(lr_lambdas)) {
  ETA_CHECK(lambdas_.size() == base_lrs_.size(), "LambdaLR: expected ", base_lrs_.size(), " lr_lambdas, but got ",
            lambdas_.size());
  for (const auto& f : lambdas_) ETA_CHECK(static_cast<bool>(f), "LambdaLR: an lr_lambda is empty");
  initial_step();
}

double LambdaLR::lr_at(int64_t step, size_t group) const { return base_lrs_.at(group) * lambdas_.at(group)(step); }

}  // namespace eta::sched
