// The model definition shown in README.md, compiled and run so the README stays true.
#include <gtest/gtest.h>

#include "eta/eta.h"

namespace {
using namespace eta;

struct Net : nn::Module {
  Net() {
    conv = register_module("conv", std::make_shared<nn::Conv2d>(1, 8, 3, nn::Conv2dOptions{.padding = {1, 1}}));
    bn = register_module("bn", std::make_shared<nn::BatchNorm2d>(8));
    head = register_module("head", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(8 * 14 * 14, 10)}));
  }
  Tensor forward(const Tensor& x) override { return head->forward(relu(bn->forward(conv->forward(x)))); }
  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<nn::BatchNorm2d> bn;
  std::shared_ptr<nn::Sequential> head;
};

TEST(ReadmeExample, ModelDefinitionTrainsOneStep) {
  Net net;
  const Tensor images = randn({4, 1, 28, 28});
  const Tensor labels = from_vector(std::vector<int64_t>{1, 2, 3, 4}, {4});
  Tensor loss = cross_entropy(net.forward(images), labels);
  loss.backward();
  EXPECT_EQ(net.named_parameters().size(), 6u);
  EXPECT_EQ(net.named_parameters()[4].first, "head.2.weight");
  for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.grad().defined());
}

}  // namespace
