// Optimizer behaviour beyond parity: exact resume from a saved state, parameter groups, skipped
// parameters, AdamW's decoupled decay, zero_grad, and gradient clipping.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "eta/eta.h"
#include "eta/optim/adam.h"
#include "eta/optim/adamw.h"
#include "eta/optim/registry.h"
#include "eta/optim/sgd.h"
#include "eta/util/parse.h"

namespace eta::testing {
namespace {

// Flags that switch on every state buffer an optimizer has.
optim::Flags full_flags(const std::string& name) {
  const std::string n = util::canonical_name(name);
  if (n == "sgd") return {{"lr", "0.05"}, {"momentum", "0.9"}, {"nesterov", "true"}};
  if (n == "adam" || n == "adamw") return {{"lr", "0.05"}, {"amsgrad", "true"}};
  if (n == "rmsprop") return {{"momentum", "0.5"}, {"centered", "true"}};
  if (n == "adagrad") return {{"lr_decay", "0.01"}};
  if (n == "sgdhd") return {{"lr", "0.05"}, {"hypergrad_lr", "0.01"}};  // lr required, as SGD's
  if (n == "adamhd") return {{"lr", "0.05"}, {"amsgrad", "true"}, {"hypergrad_lr", "0.001"}};
  return {};
}

// Deterministic gradients that depend on the parameters (a quadratic bowl plus a fixed wobble).
void set_grads(std::vector<Tensor>& params, int step) {
  for (size_t i = 0; i < params.size(); ++i) {
    auto v = params[i].to_vector();
    for (size_t k = 0; k < v.size(); ++k) v[k] = 0.5 * v[k] + std::sin(0.3 * step + static_cast<double>(k + i));
    params[i].set_grad(from_vector(v, params[i].shape(), params[i].dtype()));
  }
}

std::vector<Tensor> make_params(DType dtype) {
  std::vector<float> a{0.5f, -1.5f, 2.0f, 0.25f, -0.75f, 1.0f};
  std::vector<float> b{3.0f, -2.0f};
  return {from_vector(a, {2, 3}).to(dtype).requires_grad_(), from_vector(b, {2}).to(dtype).requires_grad_()};
}

bool bit_equal(const Tensor& a, const Tensor& b) {
  const auto va = a.to_vector(), vb = b.to_vector();
  return va.size() == vb.size() && std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)) == 0;
}

class EveryOptimizer : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryOptimizer, SaveLoadMidRunContinuesBitIdentical) {
  for (DType dtype : {kFloat32, kFloat64}) {
    auto run_a = make_params(dtype), run_b = make_params(dtype);
    auto opt_a = optim::make_optimizer(GetParam(), run_a, full_flags(GetParam()));
    auto opt_b = optim::make_optimizer(GetParam(), run_b, full_flags(GetParam()));
    for (int s = 0; s < 20; ++s) {
      set_grads(run_a, s);
      opt_a->step();
      set_grads(run_b, s);
      opt_b->step();
    }
    // Save B, then restore into a fresh optimizer over fresh tensors holding B's values.
    const optim::StateDict saved = opt_b->state_dict();
    std::vector<Tensor> run_c = make_params(dtype);
    for (size_t i = 0; i < run_c.size(); ++i) {
      NoGradGuard g;
      run_c[i].copy_(run_b[i]);
    }
    auto opt_c = optim::make_optimizer(GetParam(), run_c, {{"lr", "123"}});  // lr comes from the state
    opt_c->load_state_dict(saved);
    EXPECT_EQ(opt_c->param_groups()[0].lr(), opt_a->param_groups()[0].lr());
    for (int s = 20; s < 40; ++s) {
      set_grads(run_a, s);
      opt_a->step();
      set_grads(run_c, s);
      opt_c->step();
    }
    for (size_t i = 0; i < run_a.size(); ++i)
      EXPECT_TRUE(bit_equal(run_a[i], run_c[i])) << GetParam() << " " << dtype_name(dtype) << " param " << i;
    // The saved state is a snapshot: stepping on did not change it.
    for (const auto& [k, t] : opt_b->state_dict())
      if (t.dim() > 0) {
        EXPECT_TRUE(bit_equal(t, saved.at(k))) << k;
      }
  }
}

TEST_P(EveryOptimizer, TwoGroupsEqualTwoOptimizers) {
  auto joint = make_params(kFloat64), split = make_params(kFloat64);
  optim::Flags f = full_flags(GetParam());
  auto opt = optim::make_optimizer(GetParam(), {joint[0]}, f);
  // The second group gets its own learning rate.
  optim::ParamGroup second;
  second.params = {joint[1]};
  second.options["lr"] = opt->param_groups()[0].lr() * 0.5;
  opt->add_param_group(second);
  auto opt0 = optim::make_optimizer(GetParam(), {split[0]}, f);
  auto opt1 = optim::make_optimizer(GetParam(), {split[1]}, f);
  opt1->param_groups()[0].lr() = opt->param_groups()[1].lr();
  for (int s = 0; s < 15; ++s) {
    set_grads(joint, s);
    opt->step();
    set_grads(split, s);
    opt0->step();
    opt1->step();
  }
  EXPECT_TRUE(bit_equal(joint[0], split[0]));
  EXPECT_TRUE(bit_equal(joint[1], split[1]));
}

TEST_P(EveryOptimizer, ParametersWithoutGradientsAreUntouched) {
  auto params = make_params(kFloat32);
  const auto before = params[1].to_vector();
  auto opt = optim::make_optimizer(GetParam(), params, full_flags(GetParam()));
  for (int s = 0; s < 5; ++s) {
    set_grads(params, s);
    params[1].zero_grad();
    opt->step();
  }
  EXPECT_EQ(params[1].to_vector(), before);
  EXPECT_TRUE(opt->state(1).empty());
  EXPECT_FALSE(opt->state(0).empty());
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryOptimizer, ::testing::ValuesIn(optim::optimizer_names()));

TEST(Optimizer, ZeroDimParameterStateRoundTrips) {
  // A 0-dim float64 parameter has moments shaped like the 0-dim "step": the saved form keeps both.
  Tensor a = scalar_tensor(2.0, kFloat64).requires_grad_(), b = scalar_tensor(2.0, kFloat64).requires_grad_();
  optim::Adam opt_a({a}, {.lr = 0.1}), opt_b({b}, {.lr = 0.1});
  for (int s = 0; s < 10; ++s) {
    for (auto [p, o] : {std::pair{&a, &opt_a}, std::pair{&b, &opt_b}}) {
      p->set_grad(scalar_tensor(p->item() - 1.0 + 0.1 * s, kFloat64));
      o->step();
    }
    if (s == 4) {
      Tensor c = scalar_tensor(b.item(), kFloat64).requires_grad_();
      optim::Adam opt_c({c}, {.lr = 0.1});
      opt_c.load_state_dict(opt_b.state_dict());
      EXPECT_EQ(opt_c.state(0).scalar("step"), 5);
      EXPECT_EQ(opt_c.state(0).tensors.at("exp_avg").item(), opt_b.state(0).tensors.at("exp_avg").item());
    }
  }
  EXPECT_EQ(a.item(), b.item());
}

TEST(Optimizer, ThreadCountDoesNotChangeResults) {
  // Large enough that the update loop is split across threads.
  const int64_t n = 100000;
  std::vector<std::vector<double>> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Generator gen(3);
    Tensor p = randn({n}, kFloat32, gen).requires_grad_();
    const Tensor g = randn({n}, kFloat32, gen);
    optim::Adam opt({p}, {.lr = 0.01, .weight_decay = 0.1, .amsgrad = true});
    for (int s = 0; s < 3; ++s) {
      p.set_grad(g.clone());
      opt.step();
    }
    results.push_back(p.to_vector());
  }
  set_num_threads(1);
  EXPECT_TRUE(results[0] == results[1]);
}

TEST(AdamW, ZeroGradientScalesByExactlyOneMinusLrTimesWeightDecay) {
  for (DType dtype : {kFloat32, kFloat64}) {
    auto params = make_params(dtype);
    const double lr = 0.1, wd = 0.3;
    optim::AdamW opt(params, {.lr = lr, .weight_decay = wd});
    std::vector<double> expect = params[0].to_vector();
    for (int s = 0; s < 10; ++s) {
      params[0].set_grad(zeros_like(params[0]));
      opt.step();
      for (auto& x : expect) {
        if (dtype == kFloat32) x = static_cast<float>(x) * static_cast<float>(1 - lr * wd);
        else x = x * (1 - lr * wd);
      }
      EXPECT_EQ(params[0].to_vector(), expect) << dtype_name(dtype) << " step " << s;
    }
  }
}

TEST(Optimizer, ZeroGradDropsOrZeroes) {
  auto params = make_params(kFloat32);
  optim::SGD opt(params, {.lr = 0.1});
  set_grads(params, 0);
  opt.zero_grad(/*set_to_none=*/false);
  EXPECT_EQ(params[0].grad().to_vector(), std::vector<double>(6, 0.0));
  opt.zero_grad();
  EXPECT_FALSE(params[0].grad().defined());
}

TEST(Optimizer, StepDoesNotRecordAutograd) {
  auto params = make_params(kFloat32);
  optim::Adam opt(params);
  set_grads(params, 0);
  opt.step();
  EXPECT_TRUE(params[0].is_leaf());
  EXPECT_TRUE(params[0].requires_grad());
  EXPECT_TRUE(grad_enabled());
}

TEST(Optimizer, GroupOptionsAreReadableAndWritableByName) {
  auto params = make_params(kFloat32);
  optim::Adam opt(params, {.lr = 0.01, .beta1 = 0.8});
  auto& g = opt.param_groups()[0];
  EXPECT_EQ(g.lr(), 0.01);
  EXPECT_EQ(g.option("beta1"), 0.8);
  g.option("beta1") = 0.7;
  g.lr() = 0.02;
  EXPECT_EQ(opt.param_groups()[0].option("beta1"), 0.7);
  opt.set_lr(0.5);
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.5);
  EXPECT_THROW(g.option("momentum"), Error);
}

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTotal) {
  auto params = make_params(kFloat64);
  params[0].set_grad(from_vector(std::vector<double>{3, 0, 0, 0, 0, 0}, {2, 3}));
  params[1].set_grad(from_vector(std::vector<double>{0, 4}, {2}));
  const double total = optim::clip_grad_norm_(params, 1.0);
  EXPECT_DOUBLE_EQ(total, 5.0);
  const double coef = 1.0 / (5.0 + 1e-6);
  EXPECT_DOUBLE_EQ(params[0].grad().to_vector()[0], 3 * coef);
  EXPECT_DOUBLE_EQ(params[1].grad().to_vector()[1], 4 * coef);
  // Under the limit nothing changes; the infinity norm is the largest |g|.
  const double again = optim::clip_grad_norm_(params, 10.0, INFINITY);
  EXPECT_DOUBLE_EQ(again, 4 * coef);
  EXPECT_DOUBLE_EQ(params[1].grad().to_vector()[1], 4 * coef);
  params[1].set_grad(from_vector(std::vector<double>{NAN, 1}, {2}));
  EXPECT_THROW(optim::clip_grad_norm_(params, 1.0, 2.0, /*error_if_nonfinite=*/true), Error);
}

TEST(ClipGradValue, ClampsEveryElement) {
  auto params = make_params(kFloat32);
  params[0].set_grad(from_vector(std::vector<float>{3, -3, 0.5f, -0.5f, 1, -1}, {2, 3}));
  optim::clip_grad_value_(params, 0.75);
  EXPECT_EQ(params[0].grad().to_vector(), (std::vector<double>{0.75, -0.75, 0.5, -0.5, 0.75, -0.75}));
  EXPECT_FALSE(params[1].grad().defined());
}

}  // namespace
}  // namespace eta::testing
