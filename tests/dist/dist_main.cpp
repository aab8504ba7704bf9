// Entry point of dist_tests, which mpiexec starts at 1, 2 and 3 processes. Every rank runs every
// test; tests use EXPECT (never ASSERT) before a collective so that all ranks make the same calls
// whatever fails. The exit status is the worst over the ranks.
//   ETA_DIST_TEST_THROW=1: instead of the tests, rank 1 throws while the others wait in a barrier
//   (the CTest case checks that the job ends non-zero with rank 1's message, not a hang).
//   ETA_DIST_TEST_HANG=1: rank 1 sleeps while the others wait (the watchdog must end the job).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "eta/dist/collectives.h"
#include "eta/dist/context.h"
#include "eta/error.h"

int main(int argc, char** argv) {
  if (std::getenv("ETA_DIST_TEST_THROW"))
    return eta::dist::run_main("dist_tests", &argc, &argv, [] {
      if (eta::dist::rank() == 1) eta::detail::throw_error("a deliberate failure on one rank");
      eta::dist::barrier();
      return 0;
    });
  if (std::getenv("ETA_DIST_TEST_HANG"))
    return eta::dist::run_main("dist_tests", &argc, &argv, [] {
      if (eta::dist::rank() == 1) std::this_thread::sleep_for(std::chrono::seconds(60));
      eta::dist::barrier();
      return 0;
    });
  eta::dist::Context context(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int failed = RUN_ALL_TESTS();
  std::vector<double> worst{static_cast<double>(failed)};
  eta::dist::all_reduce(worst, eta::train::ReduceOp::Max);
  return worst[0] != 0 ? 1 : 0;
}
