// What the compare_* harnesses share: a monotonic clock in seconds and "--name value" arguments.
#pragma once
#include <chrono>
#include <string>

namespace eta::bench {

inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

}  // namespace eta::bench
