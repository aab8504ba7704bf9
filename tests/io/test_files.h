// Test helpers for file formats: a self-deleting temporary directory, whole-file byte I/O, and the
// seeded byte mutations used by the truncation/mutation sweeps of the IDX, CSV and safetensors
// readers, and a compressor-free gzip writer for handcrafted .gz inputs.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "eta/tensor/generator.h"

namespace eta::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "eta-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }
  // Names of the directory's entries (to check that no temporary file was left behind).
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().filename().string());
    return out;
  }

 private:
  std::string path_;
};

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> to_bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// gzip of arbitrary bytes with "stored" (uncompressed) deflate blocks and a bitwise CRC-32:
// enough to wrap handcrafted payloads without a compressor in the test.
inline uint32_t crc32_of(const std::vector<uint8_t>& b) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t x : b) {
    c ^= x;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

inline std::vector<uint8_t> gzip_stored(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> g = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  size_t at = 0;
  do {
    const size_t n = std::min<size_t>(65535, data.size() - at);
    const bool last = at + n == data.size();
    g.push_back(last ? 1 : 0);
    g.push_back(static_cast<uint8_t>(n));
    g.push_back(static_cast<uint8_t>(n >> 8));
    g.push_back(static_cast<uint8_t>(~n));
    g.push_back(static_cast<uint8_t>(~n >> 8));
    g.insert(g.end(), data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  } while (at < data.size());
  const uint32_t crc = crc32_of(data), size = static_cast<uint32_t>(data.size());
  for (int k = 0; k < 4; ++k) g.push_back(static_cast<uint8_t>(crc >> (8 * k)));
  for (int k = 0; k < 4; ++k) g.push_back(static_cast<uint8_t>(size >> (8 * k)));
  return g;
}

// One to four random edits of `in`: overwrite a byte with a random or boundary value, flip a bit,
// insert or delete a byte, or duplicate a span. Half of the edits land in the first `hot` bytes
// (the header), where a parser's decisions are made.
inline std::vector<uint8_t> mutate(const std::vector<uint8_t>& in, Generator& gen, size_t hot) {
  std::vector<uint8_t> v = in;
  const int edits = 1 + static_cast<int>(gen.next_below(4));
  for (int e = 0; e < edits; ++e) {
    if (v.empty()) {
      v.push_back(static_cast<uint8_t>(gen.next_below(256)));
      continue;
    }
    const size_t range = (gen.next_below(2) == 0 && hot > 0) ? std::min(hot, v.size()) : v.size();
    const size_t at = static_cast<size_t>(gen.next_below(range));
    static const uint8_t kSpecial[] = {0x00, 0xFF, 0x7F, 0x80, '"', '{', '}', '[', ']', ',', ':', '-', '9', '\\'};
    switch (gen.next_below(6)) {
      case 0: v[at] = static_cast<uint8_t>(gen.next_below(256)); break;
      case 1: v[at] = kSpecial[gen.next_below(sizeof kSpecial)]; break;
      case 2: v[at] ^= static_cast<uint8_t>(1u << gen.next_below(8)); break;
      case 3: v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(gen.next_below(256))); break;
      case 4: v.erase(v.begin() + static_cast<std::ptrdiff_t>(at)); break;
      default: {
        const size_t len = std::min<size_t>(1 + gen.next_below(8), v.size() - at);
        std::vector<uint8_t> span(v.begin() + static_cast<std::ptrdiff_t>(at),
                                  v.begin() + static_cast<std::ptrdiff_t>(at + len));
        const size_t to = static_cast<size_t>(gen.next_below(v.size()));
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(to), span.begin(), span.end());
      }
    }
  }
  return v;
}

}  // namespace eta::testing
