// CsvDataset: a table of numbers from a CSV file (plain or gzipped) as a Dataset — one row per
// example, chosen feature columns as a float32/float64 vector, one target column as a class id
// (classification) or a number (regression). Reads RFC 4180 CSV (quoted fields, "" escapes,
// delimiters and newlines inside quotes, CRLF, a last line without a line end), skips '#' comment
// lines, blank lines and a UTF-8 byte order mark, tolerates spaces and tabs around cells, and reads
// scikit-learn's bundled files (first line "n_samples,n_features,class names..."). Not a general
// table library: no missing values, no type inference beyond numbers and class labels, and the
// whole file is held in memory (memory stays within a small multiple of the file's size).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eta/data/dataset.h"

namespace eta::data {

enum class CsvTask { classification, regression };

// What the first record holds.
enum class CsvHeader {
  names,    // column names (the usual header row)
  sklearn,  // scikit-learn's "n_samples,n_features,name0,name1,...": columns are called
            // feature_0..feature_{k-1} and target; the names are the classes of target ids 0, 1, ...
  none,     // no header: the first record is data, columns are called column_0, column_1, ...
};

// Every member has a default (written out even for empty ones, so designated initialisers such as
// {.target = "species"} compile without -Wmissing-field-initializers warnings).
struct CsvOptions {
  // The target column's name; required, except with CsvHeader::sklearn where it defaults to "target".
  std::string target{};
  // Feature columns in this order; empty: every column but the target, in file order.
  std::vector<std::string> features{};
  CsvTask task = CsvTask::classification;
  char delimiter = ',';
  // Lines whose first character is this are skipped (outside quoted fields); '\0': no comments.
  char comment = '#';
  DType dtype = kFloat32;  // of the features, and of a regression target; kFloat32 or kFloat64
  // Classification only: the class list to use (id = position), e.g. the training set's
  // class_names() when loading its test set; a label not in it is an error. Empty: the classes
  // are the labels found in the file (see CsvDataset::class_names).
  std::vector<std::string> classes{};
  CsvHeader header = CsvHeader::names;
};

class CsvDataset : public Dataset {
 public:
  CsvDataset() = default;

  int64_t size() const override { return rows_; }
  // input [num_features] dtype; target [] int64 (class id) or [1] dtype (regression, so that a
  // model's [B, 1] output matches the target without broadcasting).
  ExampleSpec spec() const override;
  void gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const override;
  // Classification: the label of each class id. Integer labels (all of them) are sorted
  // numerically and named in canonical form ("07" -> "7"), so labels 0..k-1 keep their values;
  // otherwise labels are sorted as byte strings. With CsvOptions::classes or an sklearn header,
  // that list. Regression: 0 and {}.
  int64_t num_classes() const override { return static_cast<int64_t>(classes_.size()); }
  std::vector<std::string> class_names() const override { return classes_; }
  std::string describe() const override;

  const std::string& source() const { return source_; }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  const std::string& target_name() const { return target_name_; }
  int64_t num_features() const { return static_cast<int64_t>(feature_names_.size()); }
  CsvTask task() const { return task_; }

 private:
  friend CsvDataset parse_csv(const uint8_t*, size_t, const std::string&, const CsvOptions&);

  std::string source_, target_name_;
  std::vector<std::string> feature_names_, classes_;
  CsvTask task_ = CsvTask::classification;
  DType dtype_ = kFloat32;
  int64_t rows_ = 0;
  // Row-major [rows, num_features] values of dtype_, and the targets: int64 class ids or dtype_
  // values; raw bytes so gather() is one memcpy per row whatever the dtype.
  std::vector<unsigned char> features_, targets_;
};

// Reads a CSV file, gzipped or not (detected by the gzip magic 1f 8b, whatever the name). Every
// malformed file is an eta::Error "path:line:col: message" (line and column 1-based, of the
// decompressed text): rows with the wrong number of fields, cells that are not numbers (quoted in
// the message), non-finite numbers (NaN and infinity are refused: a model cannot learn from them),
// unknown column names (the message lists the header), duplicate header names, an unterminated
// quote, a file without a header or data rows, an unknown class. A missing file is an error naming it.
CsvDataset read_csv(const std::string& path, const CsvOptions& options);

// The same from a whole file's bytes in memory, gzipped or not; `name` stands for the path in
// error messages. read_csv is this on the file's bytes.
CsvDataset parse_csv(const uint8_t* bytes, size_t size, const std::string& name, const CsvOptions& options);

// Throws eta::Error unless `test` has exactly the classes of `train` (same count, same names in
// the same order), e.g. a test file missing a class or holding an extra one; the message names
// both sets and the fix (load the test set with CsvOptions::classes = train.class_names()).
void check_same_classes(const Dataset& train, const Dataset& test);

}  // namespace eta::data
