// MnistDataset: validation of image/label pairs as loaded from IDX files, batches of float32
// pixels in [0, 1], and the directory lookup of the four standard MNIST file names.
#include "eta/data/mnist.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "data/pixels.h"
#include "eta/error.h"

namespace eta::data {

MnistDataset::MnistDataset(IdxArray images, IdxArray labels, const std::string& source, int64_t num_classes)
    : num_classes_(num_classes) {
  ETA_CHECK(num_classes >= 1 && num_classes <= 256, "MnistDataset: num_classes is ", num_classes,
            "; uint8 labels allow 1 to 256");
  ETA_CHECK(images.rank() == 3, "MnistDataset: ", source, ": images have rank ", images.rank(),
            ", expected 3 (count x rows x cols)");
  ETA_CHECK(labels.rank() == 1, "MnistDataset: ", source, ": labels have rank ", labels.rank(), ", expected 1 (count)");
  ETA_CHECK(images.dims[0] == labels.dims[0], "MnistDataset: ", source, ": ", images.dims[0], " images but ",
            labels.dims[0], " labels (files from different sets?)");
  ETA_CHECK(images.data.size() == static_cast<size_t>(images.dims[0] * images.dims[1] * images.dims[2]) &&
                labels.data.size() == static_cast<size_t>(labels.dims[0]),
            "MnistDataset: ", source, ": data sizes do not match the dimensions");
  for (size_t i = 0; i < labels.data.size(); ++i)
    ETA_CHECK(labels.data[i] < num_classes, "MnistDataset: ", source, ": label ", static_cast<int>(labels.data[i]),
              " of item ", i, " is outside 0-", num_classes - 1);
  count_ = images.dims[0];
  rows_ = images.dims[1];
  cols_ = images.dims[2];
  pixels_ = std::move(images.data);
  labels_ = std::move(labels.data);
}

const uint8_t* MnistDataset::image(int64_t i) const {
  ETA_CHECK(i >= 0 && i < count_, "MnistDataset::image: index ", i, " out of range for ", count_, " images");
  return pixels_.data() + i * image_numel();
}

int64_t MnistDataset::label(int64_t i) const {
  ETA_CHECK(i >= 0 && i < count_, "MnistDataset::label: index ", i, " out of range for ", count_, " images");
  return labels_[static_cast<size_t>(i)];
}

std::string MnistDataset::describe() const {
  return "MNIST-style set of " + std::to_string(count_) + " " + std::to_string(rows_) + "x" + std::to_string(cols_) +
         " images";
}

void MnistDataset::gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const {
  float* img = input.data_ptr<float>();
  int64_t* lab = target.data_ptr<int64_t>();
  const int64_t pix = image_numel();
  for (int64_t k = 0; k < n; ++k) {
    check_index(indices[k]);
    const uint8_t* src = pixels_.data() + indices[k] * pix;
    float* dst = img + k * pix;
    pixels::to_unit_floats(src, dst, static_cast<size_t>(pix));
    lab[k] = labels_[static_cast<size_t>(indices[k])];
  }
}

MnistDataset MnistDataset::slice(int64_t begin, int64_t end) const {
  ETA_CHECK(0 <= begin && begin <= end && end <= count_, "MnistDataset::slice: [", begin, ", ", end,
            ") is not a range within ", count_, " images");
  MnistDataset out;
  out.count_ = end - begin;
  out.rows_ = rows_;
  out.cols_ = cols_;
  out.num_classes_ = num_classes_;
  out.pixels_.assign(pixels_.begin() + begin * image_numel(), pixels_.begin() + end * image_numel());
  out.labels_.assign(labels_.begin() + begin, labels_.begin() + end);
  return out;
}

namespace {

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string find_file(const std::string& dir, const std::string& base) {
  const std::string plain = dir + "/" + base;
  if (is_file(plain)) return plain;
  if (is_file(plain + ".gz")) return plain + ".gz";
  struct stat st {};
  ETA_CHECK(::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode), "load_mnist: data directory ", dir,
            " does not exist (give a directory holding the four MNIST IDX files)");
  detail::throw_error("load_mnist: ", dir, " has neither ", base, " nor ", base, ".gz");
}

}  // namespace

MnistDataset load_mnist_files(const std::string& images_path, const std::string& labels_path) {
  IdxArray images = read_idx(images_path, 3);
  IdxArray labels = read_idx(labels_path, 1);
  return MnistDataset(std::move(images), std::move(labels), images_path + " + " + labels_path);
}

MnistDataset load_mnist(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_file(dir, prefix + "-labels-idx1-ubyte");
  return load_mnist_files(images, labels);
}

std::pair<double, double> pixel_mean_std(const MnistDataset& dataset) {
  // A histogram keeps the sums exact integers however large the set is.
  uint64_t hist[256] = {};
  for (uint8_t p : dataset.pixels()) ++hist[p];
  const double n = static_cast<double>(dataset.pixels().size());
  ETA_CHECK(n > 0, "pixel_mean_std: the data set has no pixels");
  double sum = 0, sumsq = 0;
  for (int v = 0; v < 256; ++v) {
    sum += static_cast<double>(hist[v]) * v;
    sumsq += static_cast<double>(hist[v]) * v * v;
  }
  const double mean = sum / n;
  const double var = std::max(0.0, sumsq / n - mean * mean);
  return {mean / 255.0, std::sqrt(var) / 255.0};
}

}  // namespace eta::data
