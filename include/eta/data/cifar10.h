// CIFAR-10, binary version (cifar-10-binary.tar.gz): 32x32 colour images in 10 classes. A batch
// file is a run of 3073-byte records — one label byte, then the 1024 red, 1024 green and 1024 blue
// bytes of the image, each plane row-major — and batches.meta.txt names the classes, one a line.
// Pixels stay uint8 in memory until gather() turns a batch into float32 [n, 3, 32, 32] in [0, 1]
// (as torchvision's ToTensor). Not the Python (pickle) version, and not CIFAR-100 (two label bytes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eta/data/dataset.h"

namespace eta::data {

inline constexpr int64_t kCifar10Side = 32;
inline constexpr int64_t kCifar10ImageBytes = 3 * kCifar10Side * kCifar10Side;  // 3072, planes R, G, B
inline constexpr int64_t kCifar10RecordBytes = 1 + kCifar10ImageBytes;           // 3073
inline constexpr int64_t kCifar10Classes = 10;

// Images and labels as stored: image i is pixels[i * 3072, (i + 1) * 3072), already in the
// [3, 32, 32] channel-first order of a tensor.
struct Cifar10Records {
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> labels;  // each in [0, 10)

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

// Parses one batch file's bytes and appends its records to `out` (nothing is appended on an
// error). Throws eta::Error naming `name` for an empty file, a size that is not a whole number of
// records ("truncated record", with the count of whole records and the bytes left over) or a
// label of 10 or more (with the record index and the value).
void parse_cifar10(const uint8_t* bytes, size_t size, const std::string& name, Cifar10Records& out);

// Class names from batches.meta.txt's contents: one a line, surrounding blanks and a '\r' trimmed,
// trailing blank lines ignored; exactly 10, none blank. `name` is used in error messages.
std::vector<std::string> parse_cifar10_meta(const std::string& text, const std::string& name);

class Cifar10Dataset : public Dataset {
 public:
  Cifar10Dataset() = default;
  // From records in memory; `class_names` has 10 names or none (unknown). `name` starts
  // describe() ("CIFAR-10 train").
  Cifar10Dataset(Cifar10Records records, std::vector<std::string> class_names, std::string name = "CIFAR-10");

  int64_t size() const override { return records_.size(); }
  ExampleSpec spec() const override { return {{3, kCifar10Side, kCifar10Side}, kFloat32, {}, kInt64}; }
  void gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const override;
  int64_t num_classes() const override { return kCifar10Classes; }
  std::vector<std::string> class_names() const override { return class_names_; }
  std::string describe() const override;  // "CIFAR-10 train (50000 images)"

  // The 3072 bytes (planes R, G, B) of image i and its label; i is checked.
  const uint8_t* image(int64_t i) const;
  int64_t label(int64_t i) const;
  const Cifar10Records& records() const { return records_; }

 private:
  Cifar10Records records_;
  std::vector<std::string> class_names_;
  std::string name_ = "CIFAR-10";
};

// Loads the training half (data_batch_1.bin ... data_batch_5.bin, 50,000 images in the real set)
// or the test half (test_batch.bin) of a directory from cifar-10-binary.tar.gz, with the class
// names of its batches.meta.txt. A missing directory or file is an eta::Error naming both.
Cifar10Dataset load_cifar10(const std::string& dir, bool train = true);

// Loads batch files given by path, in order (at least one), with class names from `meta_path`
// ("" for none).
Cifar10Dataset load_cifar10_files(const std::vector<std::string>& batch_paths, const std::string& meta_path = "");

// True when `dir` looks like a CIFAR-10 binary directory: it has batches.meta.txt and
// test_batch.bin or data_batch_1.bin. For programs choosing between this and MNIST-IDX.
bool is_cifar10_dir(const std::string& dir);

// Writes a batch file of images.size() / 3072 records (images as in Cifar10Records::pixels), to a
// temporary file renamed over `path`. Checks that there is at least one image, the sizes, and that
// every label is below 10.
void write_cifar10_batch(const std::string& path, const std::vector<uint8_t>& images,
                         const std::vector<uint8_t>& labels);

// Writes batches.meta.txt's format: the 10 names, one a line.
void write_cifar10_meta(const std::string& path, const std::vector<std::string>& class_names);

}  // namespace eta::data
