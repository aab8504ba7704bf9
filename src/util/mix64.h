// The splitmix64 finaliser: a 64-bit bijection whose outputs for neighbouring inputs look
// unrelated. Seeds the generator (tensor/generator.cpp) and derives per-epoch shuffle seeds
// (data/data_loader.cpp).
#pragma once
#include <cstdint>

namespace eta::util {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace eta::util
