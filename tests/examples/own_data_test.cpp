// The README's "your own data" program (examples/own_data.cpp): runs, and its regression fits.
#include <gtest/gtest.h>

#include "support/run_program.h"

namespace eta::testing {
namespace {

TEST(OwnData, TensorDatasetRegressionFits) {
  const ProgramResult r = run_program("own_data", "");
  ASSERT_EQ(r.status, 0) << r.err;
  const size_t at = r.out.find("validation MSE ");
  ASSERT_NE(at, std::string::npos) << r.out;
  // The target's variance is about 0.08; a working pipeline gets far below it.
  EXPECT_LT(std::stod(r.out.substr(at + 15)), 0.005) << r.out;
  EXPECT_NE(r.out.find("on 400 examples"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace eta::testing
