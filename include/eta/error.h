// eta::Error and ETA_CHECK: every user-facing failure is an exception whose message names the op
// and the shapes or values at fault. Not for internal invariants of kernels (those are asserts).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace eta {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
inline void stream_all(std::ostringstream&) {}
template <class T, class... Rest>
void stream_all(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  stream_all(os, rest...);
}
template <class... Args>
[[noreturn]] void throw_error(const Args&... args) {
  std::ostringstream os;
  stream_all(os, args...);
  throw Error(os.str());
}
}  // namespace detail

// Formats a shape as [2, 3, 4] for error messages.
std::string shape_str(const std::vector<int64_t>& shape);

}  // namespace eta

#define ETA_CHECK(cond, ...)                          \
  do {                                                \
    if (!(cond)) ::eta::detail::throw_error(__VA_ARGS__); \
  } while (0)
