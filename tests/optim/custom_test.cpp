// A new optimizer written here, outside eta, plugs in: it gets groups, validation, skipping of
// parameters without gradients, state save/load and the string factory without any change to eta.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"
#include "eta/optim/registry.h"

namespace eta::testing {
namespace {

// signSGD (Bernstein et al. 2018) with a step counter: p ← p − lr·sign(g).
class SignSGD : public optim::Optimizer {
 public:
  explicit SignSGD(std::vector<optim::ParamGroup> groups, double lr = 0.1)
      : Optimizer("SignSGD", {{"lr", lr}, {"scale", 1.0}}) {
    add_param_groups(std::move(groups));
  }

 protected:
  void validate(const optim::Options& o) const override {
    Optimizer::validate(o);
    check_nonnegative(o, "scale");
  }
  void update(const optim::ParamGroup& group, Tensor& param, const Tensor& grad, optim::ParamState& state) override {
    state.scalar("step") += 1;
    auto p = param.to_vector();
    const auto g = grad.to_vector();
    for (size_t i = 0; i < p.size(); ++i)
      p[i] -= group.lr() * group.option("scale") * static_cast<double>((g[i] > 0) - (g[i] < 0));
    param.copy_(from_vector(p, param.shape(), kFloat64));
  }
};

TEST(CustomOptimizer, PlugsIntoGroupsStateAndFactory) {
  optim::register_optimizer({"SignSGD", {{"lr", 0.1}, {"scale", 1.0}}, [](std::vector<optim::ParamGroup> groups) {
                               return std::make_unique<SignSGD>(std::move(groups));
                             }});
  Tensor a = from_vector(std::vector<double>{1.0, -1.0}, {2}).requires_grad_();
  Tensor b = from_vector(std::vector<double>{5.0}, {1}).requires_grad_();
  auto opt = optim::make_optimizer("sign_sgd", {a, b}, {{"lr", "0.25"}});
  EXPECT_EQ(opt->name(), "SignSGD");
  a.set_grad(from_vector(std::vector<double>{3.0, -0.5}, {2}));
  opt->step();
  EXPECT_EQ(a.to_vector(), (std::vector<double>{0.75, -0.75}));
  EXPECT_EQ(b.to_vector(), std::vector<double>{5.0});  // no gradient: untouched
  EXPECT_EQ(opt->state(0).scalar("step"), 1);
  const auto saved = opt->state_dict();
  EXPECT_EQ(saved.at("state.0.step").item(), 1);
  EXPECT_EQ(saved.at("param_groups.0.lr").item(), 0.25);
  auto fresh = optim::make_optimizer("SignSGD", {a, b});
  fresh->load_state_dict(saved);
  EXPECT_EQ(fresh->param_groups()[0].lr(), 0.25);
  EXPECT_THROW(optim::make_optimizer("signsgd", {a}, {{"scale", "-1"}}), Error);
  EXPECT_THROW(optim::make_optimizer("signsgd", {a}, {{"momentum", "1"}}), Error);
}

}  // namespace
}  // namespace eta::testing
