// An in-memory MNIST-style image classification set: N grey images of rows x cols uint8 pixels and
// N labels in [0, num_classes). Pixels stay uint8 (a quarter of float32's memory) until gather()
// turns a batch into float32 [n, 1, rows, cols] tensors scaled to [0, 1] (as torchvision's
// ToTensor); normalisation is a transform (data/transforms.h).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "eta/data/dataset.h"
#include "eta/data/idx.h"

namespace eta::data {

class MnistDataset : public Dataset {
 public:
  MnistDataset() = default;
  // From a rank-3 images array (count x rows x cols) and a rank-1 labels array. Checks the ranks,
  // that both counts agree and that every label is below num_classes; `source` names the files
  // in error messages.
  MnistDataset(IdxArray images, IdxArray labels, const std::string& source = "dataset", int64_t num_classes = 10);

  int64_t size() const override { return count_; }
  ExampleSpec spec() const override { return {{1, rows_, cols_}, kFloat32, {}, kInt64}; }
  void gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const override;
  std::string describe() const override;
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t image_numel() const { return rows_ * cols_; }
  int64_t num_classes() const override { return num_classes_; }
  // Row-major pixels of image i (image_numel() bytes) and its label; i is checked.
  const uint8_t* image(int64_t i) const;
  int64_t label(int64_t i) const;
  const std::vector<uint8_t>& pixels() const { return pixels_; }  // size() x rows x cols
  const std::vector<uint8_t>& labels() const { return labels_; }

  // Images [begin, end) as a new data set (copied): for quick runs on a part of the data.
  MnistDataset slice(int64_t begin, int64_t end) const;

 private:
  std::vector<uint8_t> pixels_, labels_;
  int64_t count_ = 0, rows_ = 0, cols_ = 0, num_classes_ = 10;
};

// Loads the training (train-images-idx3-ubyte, train-labels-idx1-ubyte) or test (t10k-...) half
// of an MNIST-style directory; each file may also be gzipped with a .gz suffix (the plain name is
// preferred when both exist). A missing file is an eta::Error naming the directory and the names
// it looked for.
MnistDataset load_mnist(const std::string& dir, bool train = true);

// Loads an images file and a labels file given by path (gzipped or not).
MnistDataset load_mnist_files(const std::string& images_path, const std::string& labels_path);

// Mean and standard deviation of all pixels scaled to [0, 1] (population std, as torchvision's
// Normalize constants are computed), for DataLoaderOptions on a new data set.
std::pair<double, double> pixel_mean_std(const MnistDataset& dataset);

}  // namespace eta::data
