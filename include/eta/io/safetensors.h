// safetensors files (the Hugging Face format): an 8-byte little-endian header length N, N bytes of
// JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
// eta writes and reads F32, F64 and I64 tensors plus string metadata. Plain tensors; no autograd.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eta/tensor/tensor.h"

namespace eta::io {

struct SafetensorsFile {
  std::vector<std::pair<std::string, Tensor>> tensors;  // in file (data offset) order
  std::map<std::string, std::string> metadata;          // the header's "__metadata__"

  bool contains(const std::string& name) const;
  // The named tensor; throws eta::Error listing the names the file has when it is missing.
  const Tensor& at(const std::string& name) const;
  // The tensors as a name-ordered map (the handles, not copies).
  std::map<std::string, Tensor> tensor_map() const;
};

// Writes `tensors` (any layout; non-contiguous ones are written in row-major order) and `metadata`
// to `path`: a temporary file in the same directory, fsynced, then renamed over `path`, so readers
// see either the old file or the whole new one. The header is padded with spaces to a multiple of
// 8 bytes, as the reference implementation does, so the data starts aligned. The name
// "__metadata__" is reserved; names and metadata must be valid UTF-8.
void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The whole file as bytes, as save_safetensors writes it (for tests and in-memory use).
std::vector<uint8_t> serialize_safetensors(const std::map<std::string, Tensor>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});

// Reads and validates a file before allocating any tensor: a header length within the file (and at
// most 100 MB), well-formed JSON, known dtypes (F32, F64, I64), non-negative dims whose element
// count and byte size fit in int64, data_offsets that match dtype x shape and tile the data section
// exactly (in order, no gaps, no overlap, no trailing bytes), unique names, string-only metadata.
// Every fault is an eta::Error naming the file and, where there is one, the tensor. Memory used is
// the file's size plus the parsed header.
SafetensorsFile load_safetensors(const std::string& path);

// The same from a file's bytes in memory; `name` is used in error messages.
SafetensorsFile parse_safetensors(const uint8_t* bytes, size_t size, const std::string& name = "<memory>");

// Copies the file's tensors into `targets` (e.g. a model's parameters by name), by value, into
// their existing storage. Checks everything first — every missing and every extra name (listed
// together), every dtype and shape ("fc1.weight: file [256, 784], model [128, 784]") — and throws
// without writing anything unless all match, so a rejected load leaves the targets untouched.
// Writes raw bytes: works on tensors that require grad and records nothing for autograd.
void load_into(const std::map<std::string, Tensor>& targets, const SafetensorsFile& file);

}  // namespace eta::io
