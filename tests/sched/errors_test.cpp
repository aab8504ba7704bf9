// Bad scheduler input: unknown names and flags, malformed values, milestones out of order,
// OneCycleLR stepped past total_steps, invalid arguments — each a clear eta::Error.
#include <gtest/gtest.h>

#include <functional>

#include "eta/eta.h"
#include "eta/optim/adam.h"
#include "eta/optim/sgd.h"
#include "eta/sched/multi_step_lr.h"
#include "eta/sched/one_cycle_lr.h"
#include "eta/sched/reduce_lr_on_plateau.h"
#include "eta/sched/registry.h"
#include "eta/sched/step_lr.h"

namespace eta::testing {
namespace {

void expect_error(const std::function<void()>& fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragments.front() << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "message: " << msg << "\nmissing: " << f;
  }
}

struct Fixture {
  std::vector<Tensor> params{zeros({1}).requires_grad_()};
  optim::SGD opt{params, {.lr = 0.1, .momentum = 0.9}};
};

TEST(SchedErrors, UnknownNameListsTheValidOnes) {
  Fixture f;
  expect_error([&] { sched::make_scheduler("CosineLR", f.opt); },
               {"unknown scheduler 'CosineLR'", "CosineAnnealingLR", "OneCycleLR", "StepLR"});
}

TEST(SchedErrors, UnknownFlagListsTheValidOnes) {
  Fixture f;
  expect_error([&] { sched::make_scheduler("StepLR", f.opt, {{"step_size", "3"}, {"gama", "0.5"}}); },
               {"StepLR", "unknown flag --gama", "step_size", "gamma"});
  expect_error([&] { sched::make_scheduler("SequentialLR", f.opt, {{"schedulers", "StepLR"}, {"milestones", ""},
                                                                    {"2.gamma", "1"}}); },
               {"--2.gamma", "names no scheduler"});
}

// Every registered scheduler refuses a flag it does not know, listing the ones it does.
TEST(SchedErrors, EverySchedulerListsItsFlags) {
  for (const std::string& name : sched::scheduler_names()) {
    Fixture f;
    const sched::SchedulerSpec spec = sched::scheduler_spec(name);
    ASSERT_FALSE(spec.flags.empty()) << name;
    expect_error([&] { sched::make_scheduler(name, f.opt, {{"no_such_flag", "1"}}); },
                 {spec.name, "unknown flag --no_such_flag", spec.flags.front()});
  }
}

TEST(SchedErrors, MissingAndMalformedValues) {
  Fixture f;
  expect_error([&] { sched::make_scheduler("StepLR", f.opt); }, {"StepLR", "--step_size is required"});
  expect_error([&] { sched::make_scheduler("StepLR", f.opt, {{"step_size", "3.5"}}); }, {"--step_size", "'3.5'"});
  expect_error([&] { sched::make_scheduler("MultiStepLR", f.opt, {{"milestones", "10,x"}}); }, {"--milestones", "'x'"});
  expect_error([&] { sched::make_scheduler("OneCycleLR", f.opt, {{"max_lr", "1"}, {"three_phase", "maybe"}}); },
               {"--three_phase", "'maybe'"});
}

TEST(SchedErrors, MilestonesOutOfOrder) {
  Fixture f;
  expect_error([&] { sched::MultiStepLR(f.opt, {30, 10}); }, {"MultiStepLR", "increasing order", "30", "10"});
  expect_error([&] { sched::make_scheduler("MultiStepLR", f.opt, {{"milestones", "5,60,40"}}); },
               {"increasing order", "60", "40"});
  expect_error(
      [&] {
        sched::make_scheduler("SequentialLR", f.opt, {{"schedulers", "StepLR,StepLR,StepLR"}, {"milestones", "20,10"},
                                                       {"0.step_size", "5"}, {"1.step_size", "5"}, {"2.step_size", "5"}});
      },
      {"SequentialLR", "increasing order", "20", "10"});
  expect_error(
      [&] {
        sched::make_scheduler("SequentialLR", f.opt,
                              {{"schedulers", "StepLR,StepLR"}, {"milestones", "5,10"}, {"0.step_size", "5"}, {"1.step_size", "5"}});
      },
      {"one milestone fewer"});
}

TEST(SchedErrors, OneCycleSteppedPastTotalSteps) {
  Fixture f;
  sched::OneCycleLR s(f.opt, {.max_lr = {1.0}, .total_steps = 10});
  for (int i = 0; i < 10; ++i) s.step();  // PyTorch allows last_epoch == total_steps
  const double lr = f.opt.param_groups()[0].lr();
  expect_error([&] { s.step(); }, {"OneCycleLR", "tried to step 12 times", "total_steps is 10"});
  EXPECT_EQ(s.last_epoch(), 10);  // the failed step changed nothing
  EXPECT_EQ(f.opt.param_groups()[0].lr(), lr);
  expect_error([&] { s.lr_at(11); }, {"total_steps is 10"});
}

TEST(SchedErrors, InvalidArguments) {
  Fixture f;
  expect_error([&] { sched::make_scheduler("StepLR", f.opt, {{"step_size", "0"}}); }, {"StepLR", "step_size", "0"});
  expect_error([&] { sched::make_scheduler("CosineAnnealingWarmRestarts", f.opt, {{"T_0", "10"}, {"T_mult", "0"}}); },
               {"T_mult", "0"});
  expect_error([&] { sched::make_scheduler("LinearLR", f.opt, {{"start_factor", "1.5"}}); }, {"start_factor", "1.5"});
  expect_error([&] { sched::make_scheduler("ConstantLR", f.opt, {{"factor", "-0.5"}}); }, {"factor", "-0.5"});
  expect_error([&] { sched::make_scheduler("OneCycleLR", f.opt, {{"max_lr", "1"}}); }, {"total_steps"});
  expect_error([&] { sched::make_scheduler("OneCycleLR", f.opt, {{"max_lr", "1"}, {"total_steps", "10"},
                                                                  {"anneal_strategy", "exp"}}); },
               {"anneal_strategy", "'exp'"});
  expect_error([&] { sched::make_scheduler("CyclicLR", f.opt, {{"base_lr", "0.1"}, {"max_lr", "1"}, {"mode", "sine"}}); },
               {"mode", "'sine'"});
  expect_error([&] { sched::make_scheduler("ReduceLROnPlateau", f.opt, {{"factor", "1.5"}}); }, {"factor", "1.5"});
  expect_error([&] { sched::make_scheduler("ReduceLROnPlateau", f.opt, {{"mode", "median"}}); }, {"mode", "'median'"});
  expect_error([&] { sched::make_scheduler("InverseSqrtLR", f.opt, {{"warmup_steps", "-1"}}); },
               {"InverseSqrtLR", "warmup_steps", "-1"});
  optim::Adam adam({zeros({1}).requires_grad_()});
  expect_error([&] { sched::make_scheduler("CyclicLR", adam, {{"base_lr", "0.1"}, {"max_lr", "1"}}); },
               {"CyclicLR", "momentum", "cycle_momentum false"});
}

TEST(SchedErrors, PlateauNeedsAMetric) {
  Fixture f;
  sched::ReduceLROnPlateau s(f.opt);
  expect_error([&] { s.step(); }, {"ReduceLROnPlateau", "step(metric)"});
  expect_error([&] { s.lr_at(3); }, {"ReduceLROnPlateau", "no fixed schedule"});
  s.step(1.0);
  EXPECT_EQ(s.best(), 1.0);
}

TEST(SchedErrors, NamesAndFlagsMatchCaseInsensitively) {
  Fixture f;
  auto s = sched::make_scheduler("cosine_annealing_lr", f.opt, {{"t_max", "10"}});
  EXPECT_EQ(s->name(), "CosineAnnealingLR");
  EXPECT_DOUBLE_EQ(s->lr_at(10), 0.0);
}

}  // namespace
}  // namespace eta::testing
