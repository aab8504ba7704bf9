// SmallCNN: a small modern CNN (28x28 single-channel images by default, any ImageShape whose sides
// are multiples of 4): conv-BatchNorm-ReLU blocks, one residual block, max pooling, and a linear
// classifier. More accurate than LeNet-5 on Fashion-MNIST at about 10 MFLOP per image.
#pragma once
#include "eta/nn/layers.h"
#include "models/image_shape.h"

namespace eta::models {

// conv-BN-ReLU-conv-BN plus the input, then ReLU (He et al. 2016), channels unchanged.
class ResidualBlock : public nn::Module {
 public:
  explicit ResidualBlock(int64_t channels, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ResidualBlock"; }

 private:
  std::shared_ptr<nn::Conv2d> conv1_, conv2_;
  std::shared_ptr<nn::BatchNorm2d> bn1_, bn2_;
};

class SmallCNN : public nn::Module {
 public:
  explicit SmallCNN(int64_t num_classes = 10, Generator& gen = default_generator());
  SmallCNN(ImageShape input, int64_t num_classes = 10, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SmallCNN"; }

 private:
  ImageShape input_;
  std::shared_ptr<nn::Sequential> features_, classifier_;
};

}  // namespace eta::models
