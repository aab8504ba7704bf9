// CIFAR-10 binary batches: record validation, the meta file's class names, the directory layout of
// cifar-10-binary.tar.gz, batches of float32 pixels in [0, 1], and the writer tests and data
// generators use. Nothing here decodes the Python (pickle) version.
#include "eta/data/cifar10.h"

#include <sys/stat.h>

#include <array>
#include <cstring>

#include "data/pixels.h"
#include "eta/error.h"
#include "eta/io/atomic_file.h"
#include "io/byte_source.h"

namespace eta::data {

namespace {

constexpr size_t kRecord = static_cast<size_t>(kCifar10RecordBytes);
constexpr size_t kImage = static_cast<size_t>(kCifar10ImageBytes);

bool exists(const std::string& path, bool dir) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

std::string trim(const std::string& s) {
  const char* blank = " \t\r\v\f";
  const size_t b = s.find_first_not_of(blank);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(blank) - b + 1);
}

// Why a directory lacks the files a CIFAR-10 binary directory has, when it is a common mistake.
std::string layout_hint(const std::string& dir) {
  if (exists(dir + "/cifar-10-batches-bin", true))
    return " (the archive unpacks into cifar-10-batches-bin/: give " + dir + "/cifar-10-batches-bin)";
  if (exists(dir + "/data_batch_1", false) || exists(dir + "/batches.meta", false))
    return " (these look like the Python version's pickles; eta reads the binary version, cifar-10-binary.tar.gz)";
  return " (a CIFAR-10 binary directory holds data_batch_1.bin ... data_batch_5.bin, test_batch.bin and "
         "batches.meta.txt)";
}

std::string find_file(const std::string& dir, const std::string& base) {
  ETA_CHECK(exists(dir, true), "load_cifar10: data directory ", dir,
            " does not exist (give the directory unpacked from cifar-10-binary.tar.gz)");
  const std::string path = dir + "/" + base;
  ETA_CHECK(exists(path, false), "load_cifar10: ", dir, " has no ", base, layout_hint(dir));
  return path;
}

}  // namespace

void parse_cifar10(const uint8_t* bytes, size_t size, const std::string& name, Cifar10Records& out) {
  ETA_CHECK(size > 0, "parse_cifar10: ", name, ": the file is empty (a batch holds records of ", kRecord, " bytes)");
  if (size % kRecord != 0) {
    // CIFAR-100's records carry two label bytes: say so rather than only "truncated".
    const std::string hint = size % (kRecord + 1) == 0
                                 ? "; its size fits CIFAR-100's 3074-byte records, which this reader does not take"
                                 : "";
    detail::throw_error("parse_cifar10: ", name, ": truncated record: ", size, " bytes are ", size / kRecord,
                        " whole records of ", kRecord, " bytes (1 label + 3072 pixels) and ", size % kRecord,
                        " bytes more", hint);
  }
  const size_t count = size / kRecord;
  for (size_t r = 0; r < count; ++r) {
    const uint8_t label = bytes[r * kRecord];
    ETA_CHECK(label < kCifar10Classes, "parse_cifar10: ", name, ": record ", r, " has label ", static_cast<int>(label),
              ", outside 0-", kCifar10Classes - 1, " (not a CIFAR-10 binary batch?)");
  }
  // Validated first, appended after: an error leaves `out` as it was.
  const size_t old = out.labels.size();
  out.labels.resize(old + count);
  out.pixels.resize((old + count) * kImage);
  for (size_t r = 0; r < count; ++r) {
    out.labels[old + r] = bytes[r * kRecord];
    std::memcpy(out.pixels.data() + (old + r) * kImage, bytes + r * kRecord + 1, kImage);
  }
}

std::vector<std::string> parse_cifar10_meta(const std::string& text, const std::string& name) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(trim(text.substr(at, end - at)));
    at = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (size_t i = 0; i < lines.size(); ++i)
    ETA_CHECK(!lines[i].empty(), "load_cifar10: ", name, ": line ", i + 1,
              " is blank; the class names are one a line, with nothing between them");
  ETA_CHECK(static_cast<int64_t>(lines.size()) == kCifar10Classes, "load_cifar10: ", name, ": ", lines.size(),
            " class names, expected ", kCifar10Classes, " (one a line)");
  return lines;
}

Cifar10Dataset::Cifar10Dataset(Cifar10Records records, std::vector<std::string> class_names, std::string name)
    : records_(std::move(records)), class_names_(std::move(class_names)), name_(std::move(name)) {
  ETA_CHECK(records_.pixels.size() == records_.labels.size() * kImage, "Cifar10Dataset: ", name_, ": ",
            records_.pixels.size(), " pixel bytes for ", records_.labels.size(), " labels, expected ",
            records_.labels.size() * kImage);
  for (size_t i = 0; i < records_.labels.size(); ++i)
    ETA_CHECK(records_.labels[i] < kCifar10Classes, "Cifar10Dataset: ", name_, ": label ",
              static_cast<int>(records_.labels[i]), " of image ", i, " is outside 0-", kCifar10Classes - 1);
  ETA_CHECK(class_names_.empty() || static_cast<int64_t>(class_names_.size()) == kCifar10Classes,
            "Cifar10Dataset: ", name_, ": ", class_names_.size(), " class names, expected ", kCifar10Classes,
            " or none");
}

std::string Cifar10Dataset::describe() const { return name_ + " (" + std::to_string(size()) + " images)"; }

const uint8_t* Cifar10Dataset::image(int64_t i) const {
  check_index(i);
  return records_.pixels.data() + static_cast<size_t>(i) * kImage;
}

int64_t Cifar10Dataset::label(int64_t i) const {
  check_index(i);
  return records_.labels[static_cast<size_t>(i)];
}

void Cifar10Dataset::gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const {
  float* img = input.data_ptr<float>();
  int64_t* lab = target.data_ptr<int64_t>();
  for (int64_t k = 0; k < n; ++k) {
    check_index(indices[k]);
    const auto i = static_cast<size_t>(indices[k]);
    const uint8_t* src = records_.pixels.data() + i * kImage;
    float* dst = img + static_cast<size_t>(k) * kImage;
    pixels::to_unit_floats(src, dst, kImage);
    lab[k] = records_.labels[i];
  }
}

namespace {

Cifar10Dataset load_files(const std::vector<std::string>& batch_paths, const std::string& meta_path,
                          const std::string& name, const char* op) {
  ETA_CHECK(!batch_paths.empty(), op, ": no batch files given");
  Cifar10Records records;
  for (const std::string& path : batch_paths) {
    const std::vector<uint8_t> bytes = io::read_file_bytes(path, op);
    parse_cifar10(bytes.data(), bytes.size(), path, records);
  }
  std::vector<std::string> names;
  if (!meta_path.empty()) {
    const std::vector<uint8_t> text = io::read_file_bytes(meta_path, op);
    names = parse_cifar10_meta(std::string(text.begin(), text.end()), meta_path);
  }
  return Cifar10Dataset(std::move(records), std::move(names), name);
}

}  // namespace

Cifar10Dataset load_cifar10_files(const std::vector<std::string>& batch_paths, const std::string& meta_path) {
  const std::string name = batch_paths.size() == 1 ? "CIFAR-10 " + batch_paths[0]
                                                    : "CIFAR-10 " + std::to_string(batch_paths.size()) + " batch files";
  return load_files(batch_paths, meta_path, name, "load_cifar10_files");
}

Cifar10Dataset load_cifar10(const std::string& dir, bool train) {
  std::vector<std::string> batches;
  if (train) {
    for (int b = 1; b <= 5; ++b) batches.push_back(find_file(dir, "data_batch_" + std::to_string(b) + ".bin"));
  } else {
    batches.push_back(find_file(dir, "test_batch.bin"));
  }
  const std::string meta = find_file(dir, "batches.meta.txt");
  return load_files(batches, meta, train ? "CIFAR-10 train" : "CIFAR-10 test", "load_cifar10");
}

bool is_cifar10_dir(const std::string& dir) {
  return exists(dir + "/batches.meta.txt", false) &&
         (exists(dir + "/test_batch.bin", false) || exists(dir + "/data_batch_1.bin", false));
}

void write_cifar10_batch(const std::string& path, const std::vector<uint8_t>& images,
                         const std::vector<uint8_t>& labels) {
  ETA_CHECK(!labels.empty(), "write_cifar10_batch: ", path, ": no images (readers refuse an empty batch file)");
  ETA_CHECK(images.size() == labels.size() * kImage, "write_cifar10_batch: ", path, ": ", images.size(),
            " pixel bytes for ", labels.size(), " labels, expected ", labels.size() * kImage, " (3072 per image)");
  std::vector<uint8_t> bytes(labels.size() * kRecord);
  for (size_t r = 0; r < labels.size(); ++r) {
    ETA_CHECK(labels[r] < kCifar10Classes, "write_cifar10_batch: ", path, ": label ", static_cast<int>(labels[r]),
              " of image ", r, " is outside 0-", kCifar10Classes - 1);
    bytes[r * kRecord] = labels[r];
    std::memcpy(bytes.data() + r * kRecord + 1, images.data() + r * kImage, kImage);
  }
  io::AtomicFile file(path, "write_cifar10_batch");
  file.write(bytes.data(), bytes.size());
  file.commit();
}

void write_cifar10_meta(const std::string& path, const std::vector<std::string>& class_names) {
  ETA_CHECK(static_cast<int64_t>(class_names.size()) == kCifar10Classes, "write_cifar10_meta: ", path, ": ",
            class_names.size(), " class names, expected ", kCifar10Classes);
  std::string text;
  for (const std::string& n : class_names) {
    ETA_CHECK(!n.empty() && n.find('\n') == std::string::npos && trim(n) == n, "write_cifar10_meta: ", path,
              ": class name \"", n, "\" is blank, spans lines or has surrounding blanks");
    text += n + "\n";
  }
  io::write_file_atomically(path, text, "write_cifar10_meta");
}

}  // namespace eta::data
