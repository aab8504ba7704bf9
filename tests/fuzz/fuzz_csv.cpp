// libFuzzer target for the CSV reader (raw and gzip): each input is parsed under a few option sets
// (header names, sklearn's header, no header; classification and regression) and must give
// eta::Error or a data set whose batches have the announced sizes and in-range class ids. Built
// only with -DETA_BUILD_FUZZ=ON; seeds in tests/fuzz/corpus/csv/.
#include <cstdint>
#include <vector>

#include "eta/data/csv.h"
#include "eta/error.h"

namespace {

using eta::data::CsvHeader;
using eta::data::CsvOptions;
using eta::data::CsvTask;

void check(const uint8_t* data, size_t size, const CsvOptions& options) {
  try {
    const eta::data::CsvDataset d = eta::data::parse_csv(data, size, "fuzz", options);
    std::vector<int64_t> all(static_cast<size_t>(d.size()));
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    const eta::data::Example e = d.get_batch(all);
    if (d.size() < 1 || d.num_features() < 1 || e.input.numel() != d.size() * d.num_features()) __builtin_trap();
    if (options.task == CsvTask::classification)
      for (double t : e.target.to_vector())
        if (!(t >= 0 && t < static_cast<double>(d.num_classes()))) __builtin_trap();
  } catch (const eta::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const CsvOptions kOptions[] = {
      {.target = "label"},
      {.target = "y", .task = CsvTask::regression, .dtype = eta::kFloat64},
      {.header = CsvHeader::sklearn},
      {.target = "column_0", .task = CsvTask::regression, .delimiter = ';', .header = CsvHeader::none},
  };
  for (const CsvOptions& o : kOptions) check(data, size, o);
  return 0;
}
