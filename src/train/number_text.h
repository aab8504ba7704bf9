// Doubles as text for train/'s files: exact (17 significant digits, reads back bit for bit; "nan"
// and "inf" as printf writes them) for checkpoint metadata, and JSON numbers (non-finite -> null).
// Private to train/.
#pragma once
#include <cmath>
#include <cstdio>
#include <string>

namespace eta::train::text {

inline std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

inline std::string json_number(double v, int digits = 17) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace eta::train::text
