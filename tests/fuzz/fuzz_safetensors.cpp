// libFuzzer target for the safetensors reader: any input must give eta::Error or a valid file, and
// a valid file must survive a write/read round trip unchanged. Built only with -DETA_BUILD_FUZZ=ON.
#include <cstring>

#include "eta/error.h"
#include "eta/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  eta::io::SafetensorsFile f;
  try {
    f = eta::io::parse_safetensors(data, size, "fuzz");
  } catch (const eta::Error&) {
    return 0;
  }
  const auto again = eta::io::serialize_safetensors(f.tensor_map(), f.metadata);
  const eta::io::SafetensorsFile g = eta::io::parse_safetensors(again.data(), again.size(), "fuzz-roundtrip");
  if (g.metadata != f.metadata || g.tensors.size() != f.tensors.size()) __builtin_trap();
  for (const auto& [name, t] : f.tensors) {
    const eta::Tensor& u = g.at(name);
    const size_t n = static_cast<size_t>(t.numel()) * eta::dtype_size(t.dtype());
    if (u.shape() != t.shape() || u.dtype() != t.dtype() || (n && std::memcmp(u.raw_data(), t.raw_data(), n) != 0))
      __builtin_trap();
  }
  return 0;
}
