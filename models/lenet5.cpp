// LeNet-5: conv(1->6, 5x5, pad 2) relu pool2, conv(6->16, 5x5) relu pool2, 400 -> 120 -> 84 -> classes.
#include "models/lenet5.h"

#include "eta/error.h"

namespace eta::models {

LeNet5::LeNet5(int64_t num_classes, Generator& gen) : LeNet5(ImageShape{}, num_classes, gen) {}

LeNet5::LeNet5(ImageShape input, int64_t num_classes, Generator& gen) : input_(input) {
  ETA_CHECK(input.channels >= 1 && input.height >= 10 && input.width >= 10 && num_classes >= 1,
            "LeNet5: needs images of at least 1x10x10 and one class, got ", input.channels, "x", input.height, "x",
            input.width, " and ", num_classes, " classes");
  // Padded conv keeps H x W, pool halves, 5x5 valid conv takes 4, pool halves.
  const int64_t h = (input.height / 2 - 4) / 2, w = (input.width / 2 - 4) / 2;
  nn::Conv2dOptions pad2;
  pad2.padding = {2, 2};
  features_ = register_module("features", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(input.channels, 6, 5, pad2, gen), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Conv2d>(6, 16, 5, nn::Conv2dOptions{}, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2)}));
  classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(16 * h * w, 120, true, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(120, 84, true, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(84, num_classes, true, gen)}));
}

Tensor LeNet5::forward(const Tensor& x) {
  input_.check(x, "LeNet5");
  return classifier_->forward(features_->forward(x));
}

}  // namespace eta::models
