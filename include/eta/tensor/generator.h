// A seedable random generator (xoshiro256**). Its state is four words, so checkpoints can save and
// restore it exactly. Every random draw in eta takes a Generator; default_generator() is used when
// none is given and is reseeded by manual_seed().
#pragma once
#include <array>
#include <cstdint>

namespace eta {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0x5eed) { seed_(seed); }
  void seed_(uint64_t seed);
  uint64_t next_u64();
  double next_double();   // uniform in [0, 1), 53 random bits
  double next_normal();   // standard normal (Box-Muller, no cached second value: state stays 4 words)
  uint64_t next_below(uint64_t n);  // uniform integer in [0, n), unbiased
  std::array<uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& s);

 private:
  std::array<uint64_t, 4> s_{};
};

Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace eta
