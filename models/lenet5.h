// LeNet-5 (LeCun et al. 1998) in its modern form: ReLU and max pooling, the first convolution padded
// so that 28x28 inputs give the classic 5x5x16 features. Other image shapes (CIFAR-10's 3x32x32)
// size the first convolution and the classifier's input from ImageShape.
#pragma once
#include "eta/nn/layers.h"
#include "models/image_shape.h"

namespace eta::models {

class LeNet5 : public nn::Module {
 public:
  explicit LeNet5(int64_t num_classes = 10, Generator& gen = default_generator());
  // Needs images of at least 10x10 (two 2x2 poolings around a 5x5 valid convolution).
  LeNet5(ImageShape input, int64_t num_classes = 10, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LeNet5"; }

 private:
  ImageShape input_;
  std::shared_ptr<nn::Sequential> features_, classifier_;
};

}  // namespace eta::models
