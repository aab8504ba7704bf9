// LeNet-5 for 28x28 single-channel images (LeCun et al. 1998), in its modern form: ReLU and max
// pooling, the first convolution padded so that 28x28 inputs give the classic 5x5x16 features.
#pragma once
#include "eta/nn/layers.h"

namespace eta::models {

class LeNet5 : public nn::Module {
 public:
  explicit LeNet5(int64_t num_classes = 10, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LeNet5"; }

 private:
  std::shared_ptr<nn::Sequential> features_, classifier_;
};

}  // namespace eta::models
