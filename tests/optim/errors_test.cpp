// Invalid hyper-parameters and inputs: each throws eta::Error whose message names the parameter
// and the value at fault.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>

#include "eta/eta.h"
#include "eta/optim/adadelta.h"
#include "eta/optim/adagrad.h"
#include "eta/optim/adam.h"
#include "eta/optim/adamax.h"
#include "eta/optim/adamw.h"
#include "eta/optim/lion.h"
#include "eta/optim/adam_hd.h"
#include "eta/optim/sgd_hd.h"
#include "eta/optim/nadam.h"
#include "eta/optim/radam.h"
#include "eta/optim/registry.h"
#include "eta/optim/rmsprop.h"
#include "eta/optim/sgd.h"

namespace eta::testing {
namespace {

std::vector<Tensor> params() { return {zeros({3}).requires_grad_()}; }

// Expects fn to throw eta::Error whose message contains every fragment.
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragments.front() << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "message: " << msg << "\nmissing: " << f;
  }
}

using namespace optim;

TEST(OptimErrors, NegativeLearningRate) {
  expect_error([] { SGD(params(), {.lr = -0.1}); }, {"SGD", "lr", "-0.1"});
  expect_error([] { Adam(params(), {.lr = -1}); }, {"Adam", "lr", "-1"});
  expect_error([] { AdamW(params(), {.lr = -2}); }, {"AdamW", "lr", "-2"});
  expect_error([] { RMSprop(params(), {.lr = -3}); }, {"RMSprop", "lr", "-3"});
  expect_error([] { Adagrad(params(), {.lr = -4}); }, {"Adagrad", "lr", "-4"});
  expect_error([] { Adadelta(params(), {.lr = -5}); }, {"Adadelta", "lr", "-5"});
  expect_error([] { Adamax(params(), {.lr = -6}); }, {"Adamax", "lr", "-6"});
  expect_error([] { NAdam(params(), {.lr = -7}); }, {"NAdam", "lr", "-7"});
  expect_error([] { RAdam(params(), {.lr = -8}); }, {"RAdam", "lr", "-8"});
  expect_error([] { Lion(params(), {.lr = -9}); }, {"Lion", "lr", "-9"});
  expect_error([] { SGDHD opt(params()); }, {"SGDHD", "lr", "required"});
  expect_error([] { SGDHD(params(), {.lr = 0.1, .hypergrad_lr = -1}); }, {"SGDHD", "hypergrad_lr", "-1"});
  expect_error([] { AdamHD(params(), {.hypergrad_lr = -2}); }, {"AdamHD", "hypergrad_lr", "-2"});
}

// Every registered optimizer checks every hyper-parameter against the range its spec declares:
// just below the lower end (or at an open one), set by flag where there is one and by hand at
// step() for all, each error naming the optimizer, the parameter and the value.
class SpecRanges : public ::testing::TestWithParam<std::string> {};

TEST_P(SpecRanges, AreCheckedByFlagAndAtStep) {
  {
    const std::string name = GetParam();
    const OptimizerSpec spec = optimizer_spec(name);
    ASSERT_TRUE(spec.find("lr")) << name;
    EXPECT_TRUE(spec.find("lr")->range.lo == 0) << name << ": lr must not be negative";
    for (const HyperParam& p : spec.params) {
      if (std::isinf(p.range.lo)) continue;
      SCOPED_TRACE(name + " " + p.name);
      const double bad = p.range.lo_open ? p.range.lo : p.range.lo - 0.5;
      std::ostringstream text;
      text << bad;
      if (p.name != "beta1" && p.name != "beta2") {
        Flags flags{{"lr", "0.1"}};  // SGD needs one
        flags[p.name] = text.str();
        expect_error([&] { make_optimizer(name, params(), flags); }, {spec.name, p.name, text.str()});
      }
      auto ps = params();
      auto opt = make_optimizer(name, ps, {{"lr", "0.1"}});
      opt->param_groups()[0].option(p.name) = bad;
      ps[0].set_grad(ones({3}));
      expect_error([&] { opt->step(); }, {spec.name, p.name, text.str()});
    }
  }
}

// The built-ins, listed before any test registers its own.
INSTANTIATE_TEST_SUITE_P(Registry, SpecRanges, ::testing::ValuesIn(optimizer_names()),
                         [](const auto& info) { return info.param; });

TEST(OptimErrors, BetasOutsideUnitInterval) {
  expect_error([] { Adam(params(), {.beta1 = 1.0}); }, {"beta1", "1", "[0, 1)"});
  expect_error([] { Adam(params(), {.beta2 = -0.1}); }, {"beta2", "-0.1"});
  expect_error([] { AdamW(params(), {.beta2 = 1.5}); }, {"beta2", "1.5"});
  expect_error([] { Adamax(params(), {.beta1 = 1.0}); }, {"beta1"});
  expect_error([] { NAdam(params(), {.beta2 = 1.0}); }, {"beta2"});
  expect_error([] { RAdam(params(), {.beta1 = -1}); }, {"beta1"});
  expect_error([] { make_optimizer("adam", params(), {{"betas", "0.9,1.2"}}); }, {"beta2", "1.2"});
}

TEST(OptimErrors, OtherHyperParameters) {
  expect_error([] { Adam(params(), {.eps = -1e-8}); }, {"eps", "-1e-08"});
  expect_error([] { Adam(params(), {.weight_decay = -1}); }, {"weight_decay", "-1"});
  expect_error([] { SGD(params(), {.lr = 0.1, .momentum = -0.5}); }, {"momentum", "-0.5"});
  expect_error([] { SGD(params(), {.lr = 0.1, .nesterov = true}); }, {"nesterov", "momentum"});
  expect_error([] { SGD(params(), {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}); },
               {"nesterov", "dampening"});
  expect_error([] { SGD opt(params()); }, {"SGD", "lr is required"});
  expect_error([] { RMSprop(params(), {.alpha = -0.9}); }, {"alpha", "-0.9"});
  expect_error([] { Adagrad(params(), {.lr_decay = -1}); }, {"lr_decay"});
  expect_error([] { Adagrad(params(), {.initial_accumulator_value = -1}); }, {"initial_accumulator_value"});
  expect_error([] { Adadelta(params(), {.rho = 1.5}); }, {"rho", "1.5"});
  expect_error([] { NAdam(params(), {.momentum_decay = -1}); }, {"momentum_decay"});
}

TEST(OptimErrors, LearningRateSetNegativeLaterIsCaughtAtStep) {
  auto p = params();
  Adam opt(p);
  opt.param_groups()[0].lr() = -0.5;
  p[0].set_grad(ones({3}));
  expect_error([&] { opt.step(); }, {"Adam", "lr", "-0.5"});
}

TEST(OptimErrors, BadParameters) {
  Tensor a = zeros({2}).requires_grad_();
  expect_error([&] { Adam({a, a}); }, {"already appears"});
  expect_error([] { Adam(std::vector<ParamGroup>{}); }, {"empty"});
  expect_error([] { Adam({from_vector(std::vector<int64_t>{1, 2}, {2})}); }, {"int64"});
  expect_error([&] { Adam({a * 2.0}); }, {"leaf"});
  ParamGroup g;
  g.params = {zeros({2}).requires_grad_()};
  g.options["momentum"] = 0.9;
  expect_error([&] { Adam(std::vector<ParamGroup>{g}); }, {"unknown option 'momentum'", "beta1"});
}

TEST(OptimErrors, UnknownNamesAndFlags) {
  expect_error([] { make_optimizer("adamm", params()); }, {"unknown optimizer 'adamm'", "Adam", "SGD", "RAdam"});
  expect_error([] { make_optimizer("adam", params(), {{"momentum", "0.9"}}); },
               {"unknown flag --momentum", "betas", "amsgrad"});
  expect_error([] { make_optimizer("sgd", params(), {{"lr", "fast"}}); }, {"--lr", "'fast' is not a number"});
  expect_error([] { make_optimizer("adam", params(), {{"betas", "0.9"}}); }, {"--betas", "two"});
}

TEST(OptimErrors, NamesMatchCaseInsensitively) {
  EXPECT_EQ(make_optimizer("ADAMW", params())->name(), "AdamW");
  EXPECT_EQ(make_optimizer("rms_prop", params())->name(), "RMSprop");
  EXPECT_EQ(make_optimizer("Sgd", params(), {{"lr", "0.1"}})->param_groups()[0].lr(), 0.1);
}

TEST(OptimErrors, LoadStateRejectsMismatchAndLeavesOptimizerUntouched) {
  auto p = params();
  Adam opt(p);
  p[0].set_grad(ones({3}));
  opt.step();
  const auto good = opt.state_dict();
  Adam other({zeros({4}).requires_grad_()});
  expect_error([&] { other.load_state_dict(good); }, {"exp_avg", "[3]", "[4]"});
  EXPECT_TRUE(other.state(0).empty());
  auto bad = good;
  bad["param_groups.0.lr"] = scalar_tensor(-1, kFloat64);
  expect_error([&] { opt.load_state_dict(bad); }, {"lr", "-1"});
  EXPECT_EQ(opt.param_groups()[0].lr(), 1e-3);
  bad = good;
  bad["state.0.bogus.x"] = scalar_tensor(1, kFloat64);
  bad.erase("param_groups.0.params");
  expect_error([&] { opt.load_state_dict(bad); }, {"param_groups.0.params"});
}

}  // namespace
}  // namespace eta::testing
