// The message of the eta::Error that f throws, or "(no error)": for tests that check what an
// error says, not only that one is thrown.
#pragma once
#include <functional>
#include <string>

#include "eta/error.h"

namespace eta::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace eta::testing
