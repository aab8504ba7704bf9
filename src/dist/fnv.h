// FNV-1a over bytes: the 64-bit fingerprints the dist debug check (collective names) and
// DistributedDataParallel::replicas_equal (parameter bytes) compare across ranks. Internal.
#pragma once
#include <cstddef>
#include <cstdint>

namespace eta::dist {

inline constexpr uint64_t kFnvOffset = 1469598103934665603ull;

inline uint64_t fnv1a(const void* data, size_t bytes, uint64_t h = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

// The low 52 bits, which a double holds exactly (so a MAX reduction of doubles can compare them).
inline double fingerprint(uint64_t h) { return static_cast<double>(h & ((uint64_t{1} << 52) - 1)); }

}  // namespace eta::dist
