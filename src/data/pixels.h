// uint8 pixels to float32 in [0, 1] (torchvision's ToTensor), shared by the image data sets.
// Each byte value is divided once, in double, so every pixel rounds the same way. Private to data/.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace eta::data::pixels {

inline const std::array<float, 256>& unit_table() {
  static const auto table = [] {
    std::array<float, 256> t{};
    for (int v = 0; v < 256; ++v) t[static_cast<size_t>(v)] = static_cast<float>(v / 255.0);
    return t;
  }();
  return table;
}

inline void to_unit_floats(const uint8_t* src, float* dst, size_t n) {
  const auto& t = unit_table();
  for (size_t p = 0; p < n; ++p) dst[p] = t[src[p]];
}

}  // namespace eta::data::pixels
