// The optimizer and schedule code shown in README.md, compiled and run so the README stays true.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"

namespace {

// signSGD (Bernstein et al. 2018): p <- p - lr * sign(g)
class SignSGD : public eta::optim::Optimizer {
 public:
  explicit SignSGD(std::vector<eta::optim::ParamGroup> groups, double lr = 0.1)
      : Optimizer("SignSGD", {{"lr", lr}}) { add_param_groups(std::move(groups)); }
 protected:
  void update(const eta::optim::ParamGroup& group, eta::Tensor& p, const eta::Tensor& g,
              eta::optim::ParamState&) override {
    float* pp = p.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    for (int64_t i = 0; i < p.numel(); ++i) pp[i] -= static_cast<float>(group.lr()) * static_cast<float>((gp[i] > 0) - (gp[i] < 0));
  }
};

// inverse square root with warm-up (Vaswani et al. 2017); built in as sched::InverseSqrtLR
class NoamLR : public eta::sched::Scheduler {
 public:
  NoamLR(eta::optim::Optimizer& opt, int64_t warmup) : Scheduler("NoamLR", opt), warmup_(warmup) {
    initial_step();
  }
  double lr_at(int64_t step, size_t group) const override {
    const double s = static_cast<double>(step) + 1.0, w = static_cast<double>(warmup_);
    return base_lrs_.at(group) * std::min(s / w, std::sqrt(w / s));
  }
 private:
  int64_t warmup_;
};

TEST(ReadmeExamples, SignSgdAndInverseSqrtPlugIn) {
  eta::Tensor p = eta::from_vector(std::vector<float>{1, -1}, {2}).requires_grad_();
  SignSGD opt(eta::optim::single_group({p}), 0.5);
  NoamLR schedule(opt, 4);
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].lr(), 0.5 * 0.25);
  eta::sum(eta::mul(p, p)).backward();
  opt.step();
  schedule.step();
  EXPECT_FLOAT_EQ(static_cast<float>(p.at({0})), 1 - 0.125f);
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].lr(), 0.5 * 0.5);
  EXPECT_DOUBLE_EQ(schedule.lr_at(15, 0), 0.5 * 0.5);
}

TEST(ReadmeExamples, WarmupThenCosine) {
  eta::nn::Linear model(3, 2);
  eta::optim::SGD opt(model.parameters(), {.lr = 0.1, .momentum = 0.9});
  std::vector<std::unique_ptr<eta::sched::Scheduler>> parts;
  parts.push_back(std::make_unique<eta::sched::LinearLR>(opt, 0.1, 1.0, 5));   // 5 warm-up steps
  parts.push_back(std::make_unique<eta::sched::CosineAnnealingLR>(opt, 95));   // then cosine
  eta::sched::SequentialLR schedule(opt, std::move(parts), {5});
  std::vector<double> lrs;
  for (int step = 0; step < 100; ++step) {
    lrs.push_back(opt.param_groups()[0].lr());
    opt.step();
    schedule.step();
  }
  EXPECT_NEAR(lrs[0], 0.01, 1e-15);
  EXPECT_NEAR(lrs[5], 0.1, 1e-15);
  EXPECT_NEAR(lrs[99], 2.7337132953697554e-05, 1e-15);  // the value README quotes from lr_schedule
}

}  // namespace
