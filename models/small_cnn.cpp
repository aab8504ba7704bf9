// SmallCNN: [conv 1->32, BN, ReLU] pool [residual 32] pool [conv 32->64, BN, ReLU] -> 3136 -> classes.
#include "models/small_cnn.h"

#include "eta/error.h"
#include "eta/ops/activation.h"
#include "eta/ops/elementwise.h"

namespace eta::models {

namespace {
nn::Conv2dOptions same3x3() {
  nn::Conv2dOptions o;
  o.padding = {1, 1};
  o.bias = false;  // BatchNorm's shift makes a conv bias redundant
  return o;
}
}  // namespace

ResidualBlock::ResidualBlock(int64_t c, Generator& gen) {
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(c, c, 3, same3x3(), gen));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm2d>(c));
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(c, c, 3, same3x3(), gen));
  bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm2d>(c));
}

// Each intermediate is released as soon as the next exists, and the last ReLU writes over the sum
// in inference (relu of a temporary): at most four activations live at once, not six.
Tensor ResidualBlock::forward(const Tensor& x) {
  Tensor h = bn1_->forward_relu(conv1_->forward(x));
  h = bn2_->forward(conv2_->forward(h));
  return relu(add(h, x));
}

SmallCNN::SmallCNN(int64_t num_classes, Generator& gen) : SmallCNN(ImageShape{}, num_classes, gen) {}

SmallCNN::SmallCNN(ImageShape input, int64_t num_classes, Generator& gen) : input_(input) {
  ETA_CHECK(input.channels >= 1 && input.height >= 4 && input.width >= 4 && input.height % 4 == 0 &&
                input.width % 4 == 0 && num_classes >= 1,
            "SmallCNN: needs images whose sides are multiples of 4 and one class, got ", input.channels, "x",
            input.height, "x", input.width, " and ", num_classes, " classes");
  using M = std::shared_ptr<nn::Module>;
  features_ = register_module("features", std::make_shared<nn::Sequential>(std::initializer_list<M>{
      std::make_shared<nn::Conv2d>(input.channels, 32, 3, same3x3(), gen), std::make_shared<nn::BatchNorm2d>(32),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<ResidualBlock>(32, gen), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Conv2d>(32, 64, 3, same3x3(), gen), std::make_shared<nn::BatchNorm2d>(64),
      std::make_shared<nn::ReLU>()}));
  classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::initializer_list<M>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Dropout>(0.25, gen),
      std::make_shared<nn::Linear>(64 * (input.height / 4) * (input.width / 4), num_classes, true, gen)}));
}

Tensor SmallCNN::forward(const Tensor& x) {
  input_.check(x, "SmallCNN");
  return classifier_->forward(features_->forward(x));
}

}  // namespace eta::models
