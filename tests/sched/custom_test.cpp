// A new scheduler written here, outside eta, plugs in: lr_at, step, state, the string factory, and
// composition inside SequentialLR with a built-in one.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"
#include "eta/optim/sgd.h"
#include "eta/sched/registry.h"
#include "eta/sched/sequential_lr.h"

namespace eta::testing {
namespace {

// The inverse-square-root schedule of "Attention Is All You Need" (Vaswani et al. 2017), scaled to
// reach the base learning rate at the end of the warmup (the built-in InverseSqrtLR, written again
// here as a user would, under another name).
class NoamLR : public sched::Scheduler {
 public:
  NoamLR(optim::Optimizer& optimizer, int64_t warmup) : Scheduler("NoamLR", optimizer), warmup_(warmup) {
    check(warmup > 0, "warmup", static_cast<double>(warmup), "expected > 0");
    initial_step();
  }
  double lr_at(int64_t step, size_t group) const override {
    const double s = static_cast<double>(step + 1), w = static_cast<double>(warmup_);
    return base_lrs_.at(group) * std::min(s / w, std::sqrt(w / s));
  }

 private:
  int64_t warmup_;
};

TEST(CustomScheduler, PlugsIntoFactoryStateAndSequentialLR) {
  sched::register_scheduler({"NoamLR", {"warmup"}, false, [](optim::Optimizer& o, const sched::Flags& f) {
                               return std::make_unique<NoamLR>(o, util::parse_int("--warmup", f.at("warmup")));
                             }});
  optim::SGD opt({zeros({1}).requires_grad_()}, {.lr = 1.0});
  auto s = sched::make_scheduler("noam_lr", opt, {{"warmup", "4"}});
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.25);
  for (int i = 0; i < 3; ++i) s->step();
  EXPECT_EQ(opt.param_groups()[0].lr(), 1.0);
  s->step();
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].lr(), std::sqrt(4.0 / 5.0));
  EXPECT_EQ(s->state_dict().at("last_epoch").item(), 4);
  EXPECT_THROW(sched::make_scheduler("NoamLR", opt, {{"warmup", "0"}}), Error);

  // As the first stage of a SequentialLR built from strings: 8 steps of it, then constant decay.
  optim::SGD opt2({zeros({1}).requires_grad_()}, {.lr = 1.0});
  auto seq = sched::make_scheduler("SequentialLR", opt2,
                                   {{"schedulers", "NoamLR,ExponentialLR"}, {"milestones", "8"},
                                    {"NoamLR.warmup", "4"}, {"1.gamma", "0.5"}});
  std::vector<double> lrs;
  for (int i = 0; i < 10; ++i) {
    lrs.push_back(opt2.param_groups()[0].lr());
    seq->step();
  }
  EXPECT_DOUBLE_EQ(lrs[7], std::sqrt(4.0 / 8.0));
  EXPECT_EQ(lrs[8], 1.0);
  EXPECT_EQ(lrs[9], 0.5);
}

}  // namespace
}  // namespace eta::testing
