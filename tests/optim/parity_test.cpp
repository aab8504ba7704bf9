// PyTorch parity: every optimizer and option set of gen_optim.py, 100 float64 steps fed the same
// gradients as torch, parameters within 1e-6 relative after every step (in practice ~1e-15).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "eta/optim/registry.h"
#include "eta/util/parse.h"
#include "optim/trajectory.h"

namespace eta::testing {
namespace {

// Loaded at test registration; a missing file leaves the list empty and fails the test below.
const std::vector<TrajectoryCase>& cases() {
  static const auto c = [] {
    try {
      return load_trajectories();
    } catch (const Error&) {
      return std::vector<TrajectoryCase>();
    }
  }();
  return c;
}

TEST(OptimParity, FixtureIsComplete) { EXPECT_GE(cases().size(), 40u); }

// One test per registered optimizer (listed at start-up, before any test registers its own): a new
// plug-in without a trajectory fails here, by name.
class FixtureCovers : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureCovers, Optimizer) {
  std::set<std::string> seen;
  for (const auto& c : cases()) seen.insert(util::canonical_name(c.optimizer));
  EXPECT_TRUE(seen.count(util::canonical_name(GetParam())))
      << GetParam() << " has no trajectory in the fixture; add a case to tests/fixtures/gen_optim.py and run it";
}

INSTANTIATE_TEST_SUITE_P(Registry, FixtureCovers, ::testing::ValuesIn(optim::optimizer_names()),
                         [](const auto& info) { return info.param; });

class Trajectory : public ::testing::TestWithParam<size_t> {};

TEST_P(Trajectory, MatchesTorchFloat64) {
  const TrajectoryCase& c = cases().at(GetParam());
  std::vector<Tensor> params;
  for (size_t i = 0; i < c.shapes.size(); ++i)
    params.push_back(from_vector(c.init[i], c.shapes[i], kFloat64).requires_grad_());
  auto opt = optim::make_optimizer(c.optimizer, params, c.flags);
  ASSERT_EQ(c.params.size(), 100u);
  double worst = 0;
  for (size_t step = 0; step < c.params.size(); ++step) {
    opt->zero_grad();
    for (size_t i = 0; i < c.grads[step].size(); ++i)
      params[i].set_grad(from_vector(c.grads[step][i], c.shapes[i], kFloat64));
    opt->step();
    for (size_t i = 0; i < c.params[step].size(); ++i) {
      const auto got = params[i].to_vector();
      const auto& want = c.params[step][i];
      ASSERT_EQ(got.size(), want.size());
      for (size_t k = 0; k < got.size(); ++k) {
        const double err = std::fabs(got[k] - want[k]);
        worst = std::max(worst, err / std::max(std::fabs(want[k]), 1e-3));
        ASSERT_LE(err, 1e-6 * std::fabs(want[k]) + 1e-12)
            << c.name << " step " << step + 1 << " param " << i << "[" << k << "]: eta " << got[k] << " torch "
            << want[k];
      }
    }
  }
  // The third parameter never had a gradient: untouched, and no state was created for it.
  EXPECT_EQ(params[2].to_vector(), c.init[2]);
  EXPECT_TRUE(opt->state(2).empty());
  RecordProperty("max_relative_error", std::to_string(worst));
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) { return cases().at(info.param).name; }

INSTANTIATE_TEST_SUITE_P(AllCases, Trajectory, ::testing::Range<size_t>(0, cases().size()), case_name);

}  // namespace
}  // namespace eta::testing
