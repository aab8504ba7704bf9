// libFuzzer target for the IDX reader (raw and gzip): any input must give eta::Error or an array
// whose data holds exactly product(dims) bytes. Built only with -DETA_BUILD_FUZZ=ON.
#include "eta/data/idx.h"
#include "eta/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const eta::data::IdxArray a = eta::data::parse_idx(data, size, "fuzz");
    uint64_t n = 1;
    for (int64_t d : a.dims) n *= static_cast<uint64_t>(d);
    if (n != a.data.size()) __builtin_trap();
  } catch (const eta::Error&) {
  }
  return 0;
}
