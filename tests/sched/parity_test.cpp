// PyTorch parity: every scheduler case of gen_sched.py, 300 learning rates (and cycled momenta)
// within 1e-6 relative of torch's, both as stepped and as read from lr_at(t) without stepping.
#include <gtest/gtest.h>

#include <set>

#include "eta/util/parse.h"
#include "sched/sequences.h"

namespace eta::testing {
namespace {

const std::vector<SequenceCase>& cases() {
  static const auto c = [] {
    try {
      return load_sequences();
    } catch (const Error&) {
      return std::vector<SequenceCase>();
    }
  }();
  return c;
}

bool close(double got, double want) { return std::fabs(got - want) <= 1e-6 * std::fabs(want) + 1e-15; }

// One test per registered scheduler (listed at start-up, before any test registers its own) and
// LambdaLR (built in code only): a new plug-in without a sequence fails here, by name.
std::vector<std::string> covered_names() {
  auto names = sched::scheduler_names();
  names.push_back("LambdaLR");
  return names;
}

class FixtureCovers : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureCovers, Scheduler) {
  std::set<std::string> seen;
  for (const auto& c : cases()) seen.insert(util::canonical_name(c.scheduler));
  EXPECT_TRUE(seen.count(util::canonical_name(GetParam())))
      << GetParam() << " has no sequence in the fixture; add a case to tests/fixtures/gen_sched.py and run it";
}

INSTANTIATE_TEST_SUITE_P(Registry, FixtureCovers, ::testing::ValuesIn(covered_names()),
                         [](const auto& info) { return info.param; });

class Sequence : public ::testing::TestWithParam<size_t> {};

TEST_P(Sequence, MatchesTorch) {
  const SequenceCase& c = cases().at(GetParam());
  Built b = build(c);
  ASSERT_EQ(c.lrs.size(), 300u);
  const bool pure = c.metrics.empty();
  for (size_t t = 0; t < c.lrs.size(); ++t) {
    const auto& group = b.optimizer->param_groups()[0];
    ASSERT_TRUE(close(group.lr(), c.lrs[t])) << c.name << " step " << t << ": eta " << group.lr() << " torch "
                                             << c.lrs[t];
    EXPECT_EQ(b.scheduler->get_last_lr()[0], group.lr());
    if (pure) {
      // The same number without stepping: the schedule is a function of t.
      ASSERT_TRUE(close(b.scheduler->lr_at(static_cast<int64_t>(t)), c.lrs[t])) << c.name << " lr_at(" << t << ")";
    }
    if (!c.momentum_key.empty()) {
      ASSERT_TRUE(close(group.option(c.momentum_key), c.momenta[t]))
          << c.name << " " << c.momentum_key << " at step " << t << ": eta " << group.option(c.momentum_key)
          << " torch " << c.momenta[t];
    }
    if (t + 1 < c.lrs.size()) step(c, *b.scheduler, t);
  }
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) { return cases().at(info.param).name; }

INSTANTIATE_TEST_SUITE_P(AllCases, Sequence, ::testing::Range<size_t>(0, cases().size()), case_name);

}  // namespace
}  // namespace eta::testing
