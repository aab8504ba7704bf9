// libFuzzer target for the CIFAR-10 binary batch reader: any input must give eta::Error or records
// with 3072 pixel bytes per label and every label below 10, which a data set then accepts and
// gathers from. Built only with -DETA_BUILD_FUZZ=ON.
#include "eta/data/cifar10.h"
#include "eta/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  eta::data::Cifar10Records r;
  try {
    eta::data::parse_cifar10(data, size, "fuzz", r);
  } catch (const eta::Error&) {
    return 0;
  }
  if (r.size() == 0 || r.pixels.size() != static_cast<size_t>(r.size()) * 3072) __builtin_trap();
  for (uint8_t label : r.labels)
    if (label >= 10) __builtin_trap();
  const eta::data::Cifar10Dataset d(std::move(r), {});
  const eta::data::Example b = d.get_batch({d.size() - 1, 0});
  const float* px = b.input.data_ptr<float>();
  for (int64_t i = 0; i < b.input.numel(); ++i)
    if (!(px[i] >= 0.0f && px[i] <= 1.0f)) __builtin_trap();
  return 0;
}
