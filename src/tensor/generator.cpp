// xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64 as its authors recommend.
#include "eta/tensor/generator.h"

#include <cmath>

#include "eta/error.h"
#include "util/mix64.h"

namespace eta {

namespace {
uint64_t splitmix64(uint64_t& x) { return util::mix64(x += 0x9e3779b97f4a7c15ULL); }
}  // namespace

void Generator::seed_(uint64_t seed) {
  for (auto& w : s_) w = splitmix64(seed);
}

void Generator::set_state(const std::array<uint64_t, 4>& s) {
  ETA_CHECK(s[0] | s[1] | s[2] | s[3], "Generator::set_state: the all-zero state is invalid for xoshiro256**");
  s_ = s;
}

double Generator::next_normal() {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const double u1 = 1.0 - next_double();
  const double u2 = next_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t Generator::next_below(uint64_t n) {
  ETA_CHECK(n > 0, "Generator::next_below: n must be positive");
  // Rejection sampling removes modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do r = next_u64();
  while (r >= limit);
  return r % n;
}

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().seed_(seed); }

}  // namespace eta
