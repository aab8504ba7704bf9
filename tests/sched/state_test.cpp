// Resume: every scheduler case, stepped 20 times, saved with its optimizer, restored into fresh
// ones and stepped on in lockstep with the uninterrupted run — learning rates and momenta equal
// bit for bit.
#include <gtest/gtest.h>

#include "sched/sequences.h"

namespace eta::testing {
namespace {

TEST(SchedState, EverySchedulerResumesBitIdentical) {
  const auto cases = load_sequences();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Built straight = build(c), first = build(c);
    for (size_t t = 0; t < 20; ++t) {
      step(c, *straight.scheduler, t);
      step(c, *first.scheduler, t);
    }
    const auto opt_state = first.optimizer->state_dict();
    const auto sched_state = first.scheduler->state_dict();
    Built resumed = build(c);  // fresh: its groups hold the step-0 values
    resumed.optimizer->load_state_dict(opt_state);
    resumed.scheduler->load_state_dict(sched_state);
    EXPECT_EQ(resumed.scheduler->last_epoch(), straight.scheduler->last_epoch());
    for (size_t t = 20; t < 60; ++t) {
      step(c, *straight.scheduler, t);
      step(c, *resumed.scheduler, t);
      const auto& a = straight.optimizer->param_groups()[0];
      const auto& b = resumed.optimizer->param_groups()[0];
      ASSERT_EQ(a.lr(), b.lr()) << "step " << t;
      ASSERT_EQ(a.options, b.options) << "step " << t;  // momentum / beta1 included
    }
  }
}

TEST(SchedState, SchedulerAloneRestoresTheLearningRate) {
  optim::SGD opt({zeros({1}).requires_grad_()}, {.lr = 0.1});
  auto s = sched::make_scheduler("StepLR", opt, {{"step_size", "3"}});
  for (int i = 0; i < 7; ++i) s->step();
  const auto saved = s->state_dict();
  EXPECT_EQ(saved.at("last_epoch").item(), 7);
  optim::SGD fresh({zeros({1}).requires_grad_()}, {.lr = 0.1});
  auto t = sched::make_scheduler("StepLR", fresh, {{"step_size", "3"}});
  t->load_state_dict(saved);
  EXPECT_EQ(fresh.param_groups()[0].lr(), opt.param_groups()[0].lr());
  s->step();
  t->step();
  EXPECT_EQ(fresh.param_groups()[0].lr(), opt.param_groups()[0].lr());
}

TEST(SchedState, EachGroupScalesItsOwnBaseRate) {
  std::vector<optim::ParamGroup> groups(2);
  groups[0].params = {zeros({1}).requires_grad_()};
  groups[1].params = {zeros({1}).requires_grad_()};
  groups[1].options["lr"] = 0.5;
  optim::SGD opt(groups, {.lr = 0.1});
  auto s = sched::make_scheduler("ExponentialLR", opt, {{"gamma", "0.5"}});
  s->step();
  s->step();
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.1 * 0.25);
  EXPECT_EQ(opt.param_groups()[1].lr(), 0.5 * 0.25);
  EXPECT_EQ(s->base_lrs(), (std::vector<double>{0.1, 0.5}));
  // A second scheduler on the same groups starts from the same initial_lr, as in PyTorch.
  auto t = sched::make_scheduler("StepLR", opt, {{"step_size", "1"}});
  EXPECT_EQ(t->base_lrs(), (std::vector<double>{0.1, 0.5}));
}

}  // namespace
}  // namespace eta::testing
