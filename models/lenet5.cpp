// LeNet-5: conv(1->6, 5x5, pad 2) relu pool2, conv(6->16, 5x5) relu pool2, 400 -> 120 -> 84 -> classes.
#include "models/lenet5.h"

#include "eta/error.h"

namespace eta::models {

LeNet5::LeNet5(int64_t num_classes, Generator& gen) {
  nn::Conv2dOptions pad2;
  pad2.padding = {2, 2};
  features_ = register_module("features", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(1, 6, 5, pad2, gen), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Conv2d>(6, 16, 5, nn::Conv2dOptions{}, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2)}));
  classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(400, 120, true, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(120, 84, true, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(84, num_classes, true, gen)}));
}

Tensor LeNet5::forward(const Tensor& x) {
  ETA_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) == 28 && x.size(3) == 28,
            "LeNet5: expected input (N, 1, 28, 28), got ", shape_str(x.shape()));
  return classifier_->forward(features_->forward(x));
}

}  // namespace eta::models
