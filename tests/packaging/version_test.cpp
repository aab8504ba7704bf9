// The version macros (from eta/version.h, generated from CMake's project version) and the
// library's eta::version() agree, and eta.h brings them in.
#include <gtest/gtest.h>

#include <string>

#include "eta/eta.h"

TEST(Version, MacrosMatchLibrary) {
  EXPECT_STREQ(eta::version(), ETA_VERSION_STRING);
  const std::string expected = std::to_string(ETA_VERSION_MAJOR) + "." + std::to_string(ETA_VERSION_MINOR) + "." +
                               std::to_string(ETA_VERSION_PATCH);
  EXPECT_EQ(expected, ETA_VERSION_STRING);
  EXPECT_EQ(ETA_VERSION, ETA_VERSION_MAJOR * 10000 + ETA_VERSION_MINOR * 100 + ETA_VERSION_PATCH);
}

TEST(Version, IsAtLeastTheFirstRelease) { EXPECT_GE(ETA_VERSION, 100); }
