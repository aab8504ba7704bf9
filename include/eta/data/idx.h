// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic (0, 0, type, rank), `rank`
// big-endian uint32 dimensions, then the row-major elements. Only the uint8 type (0x08) is read or
// written — the type every MNIST-style data set uses. Plain bytes; no tensors, no autograd.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace eta::data {

// An IDX array as stored: its dimensions and its uint8 elements, row-major.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // product(dims) elements

  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
};

// Reads an IDX file, gzipped or not (detected by the gzip magic 1f 8b, whatever the name).
// `expected_rank` > 0 requires that rank (3 for images, 1 for labels). Checks the magic, the type
// byte, the rank, that the dimensions' product fits and that the file holds exactly that many
// elements — no more, no fewer — and throws eta::Error naming `path` and the fault otherwise.
// Memory stays bounded by what the file really holds: absurd dimensions are refused before
// anything is allocated, and a gzip stream's output buffer grows only as bytes arrive.
IdxArray read_idx(const std::string& path, int64_t expected_rank = 0);

// The same from bytes in memory (a whole file's contents, gzipped or not); `name` is used in
// error messages. read_idx is this on the file's bytes.
IdxArray parse_idx(const uint8_t* bytes, size_t size, const std::string& name, int64_t expected_rank = 0);

// Writes `array` as a uint8 IDX file (gzip-compressed when `gzip`), to a temporary file in the
// same directory that is then renamed over `path`. Checks that data holds product(dims) bytes and
// that every dimension fits the format's uint32.
void write_idx(const std::string& path, const IdxArray& array, bool gzip = false);

}  // namespace eta::data
