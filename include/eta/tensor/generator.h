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
  // Inline: per-element draws (dropout masks, random init) were a call each, 1 ms of a SmallCNN
  // step's 200k-element dropout mask.
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }  // uniform in [0, 1), 53 bits
  double next_normal();   // standard normal (Box-Muller, no cached second value: state stays 4 words)
  uint64_t next_below(uint64_t n);  // uniform integer in [0, n), unbiased
  std::array<uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& s);

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace eta
