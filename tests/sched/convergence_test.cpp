// End to end: every optimizer under a few schedules lowers an ill-conditioned quadratic within 20
// steps, with gradients from eta's autograd and learning rates written by the scheduler.
#include <gtest/gtest.h>

#include "eta/eta.h"
#include "eta/optim/registry.h"
#include "eta/sched/registry.h"
#include "eta/util/parse.h"

namespace eta::testing {
namespace {

// A learning rate each optimizer makes progress with in 20 steps (its defaults are tuned for
// thousands of steps; Adadelta's effective step starts near √eps).
std::string lr_for(const std::string& optimizer) {
  const std::string n = util::canonical_name(optimizer);
  if (n == "sgd") return "0.1";
  if (n == "rmsprop") return "0.02";
  if (n == "adagrad") return "0.5";
  if (n == "adadelta") return "50";
  return "0.1";
}

struct Schedule {
  std::string name;
  sched::Flags flags;
};

const std::vector<Schedule>& schedules() {
  static const std::vector<Schedule> s = {
      {"", {}},
      {"StepLR", {{"step_size", "5"}, {"gamma", "0.7"}}},
      {"CosineAnnealingLR", {{"T_max", "20"}}},
      {"OneCycleLR", {{"total_steps", "20"}}},  // max_lr set per optimizer below
      {"InverseSqrtLR", {{"warmup_steps", "3"}}},
      {"SequentialLR",
       {{"schedulers", "LinearLR,CosineAnnealingLR"}, {"milestones", "5"}, {"0.start_factor", "0.2"},
        {"0.total_iters", "5"}, {"1.T_max", "15"}}},
  };
  return s;
}

class Convergence : public ::testing::TestWithParam<std::string> {};

TEST_P(Convergence, LowersAQuadraticWithinTwentySteps) {
  const std::string optimizer = GetParam();
  const Tensor scale = from_vector(std::vector<double>{1.0, 4.0, 0.5, 2.0}, {4});
  const Tensor target = from_vector(std::vector<double>{1.0, -2.0, 0.5, 3.0}, {4});
  for (const auto& schedule : schedules()) {
    SCOPED_TRACE(optimizer + " + " + (schedule.name.empty() ? "constant lr" : schedule.name));
    Tensor p = zeros({4}, kFloat64).requires_grad_();
    auto loss_of = [&] { return sum(scale * pow(p - target, 2.0)) * 0.5; };
    auto opt = optim::make_optimizer(optimizer, {p}, {{"lr", lr_for(optimizer)}});
    std::unique_ptr<sched::Scheduler> s;
    if (!schedule.name.empty()) {
      sched::Flags flags = schedule.flags;
      if (schedule.name == "OneCycleLR") flags["max_lr"] = lr_for(optimizer);
      // A schedule that cycles momentum needs an optimizer with momentum or beta1.
      const auto& g = opt->param_groups()[0];
      if (sched::scheduler_spec(schedule.name).traits.cycles_momentum && !g.has("momentum") && !g.has("beta1"))
        flags["cycle_momentum"] = "false";
      s = sched::make_scheduler(schedule.name, *opt, flags);
    }
    const double initial = loss_of().item();
    for (int step = 0; step < 20; ++step) {
      opt->zero_grad();
      loss_of().backward();
      opt->step();
      if (s) s->step();
    }
    const double final_loss = loss_of().item();
    EXPECT_LT(final_loss, 0.5 * initial) << "initial " << initial << " final " << final_loss;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryOptimizer, Convergence, ::testing::ValuesIn(optim::optimizer_names()));

}  // namespace
}  // namespace eta::testing
