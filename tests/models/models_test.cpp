// The ready-made models: output shapes, parameter counts (equal to PyTorch's), and one training
// step that lowers the loss.
#include <gtest/gtest.h>

#include "eta/eta.h"
#include "models/lenet5.h"
#include "models/mlp.h"
#include "models/small_cnn.h"

namespace eta::models {
namespace {

// Plain SGD on the model's parameters, to check the models learn without depending on optim/.
double train_steps(nn::Module& m, const Tensor& x, const Tensor& y, int steps, double lr) {
  double first = 0, last = 0;
  for (int i = 0; i < steps; ++i) {
    m.zero_grad();
    const Tensor loss = cross_entropy(m.forward(x), y);
    loss.backward();
    (i == 0 ? first : last) = loss.item();
    NoGradGuard g;
    for (Tensor& p : m.parameters()) p.add_(p.grad(), -lr);
  }
  return last / first;
}

TEST(Models, MlpShapesNamesAndCount) {
  MLP m({784, 256, 128, 10});
  EXPECT_EQ(m.forward(zeros({4, 1, 28, 28})).shape(), (Shape{4, 10}));
  EXPECT_EQ(m.num_parameters(), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  EXPECT_EQ(m.named_parameters()[0].first, "layers.1.weight");
  MLP with_dropout({10, 5, 2}, "tanh", 0.2);
  EXPECT_EQ(with_dropout.named_children()[0].second->named_children().size(), 5u);  // flatten lin tanh drop lin
  EXPECT_THROW(MLP({10}), Error);
}

TEST(Models, LeNet5HasPyTorchsParameterCount) {
  LeNet5 m;
  EXPECT_EQ(m.forward(zeros({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  EXPECT_EQ(m.num_parameters(), 61706);  // sum(p.numel()) of the same net in PyTorch
  EXPECT_THROW(m.forward(zeros({2, 3, 28, 28})), Error);
}

TEST(Models, SmallCnnShapesAndBuffers) {
  SmallCNN m;
  EXPECT_EQ(m.forward(zeros({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  EXPECT_EQ(m.named_buffers().size(), 4u * 3);  // 4 BatchNorms x (mean, var, count)
}

TEST(Models, ImageShapeSizesTheFirstConvAndTheClassifier) {
  LeNet5 lenet(ImageShape{3, 32, 32}, 100);
  EXPECT_EQ(lenet.forward(zeros({2, 3, 32, 32})).shape(), (Shape{2, 100}));
  // conv 3->6 (456) + conv 6->16 (2416) + 576->120 (69240) + 120->84 (10164) + 84->100 (8500)
  EXPECT_EQ(lenet.num_parameters(), 456 + 2416 + 69240 + 10164 + 8500);
  const std::string msg = [&] {
    try {
      lenet.forward(zeros({2, 1, 28, 28}));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  EXPECT_NE(msg.find("LeNet5: expected input (N, 3, 32, 32), got [2, 1, 28, 28]"), std::string::npos) << msg;
  SmallCNN cnn(ImageShape{3, 32, 32});
  EXPECT_EQ(cnn.forward(zeros({2, 3, 32, 32})).shape(), (Shape{2, 10}));
  EXPECT_THROW(SmallCNN(ImageShape{3, 30, 30}), Error);
  EXPECT_THROW(LeNet5(ImageShape{1, 8, 8}), Error);
}

TEST(Models, EachModelLearnsARandomBatch) {
  manual_seed(0);
  const Tensor x = randn({16, 1, 28, 28});
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5}, {16});
  MLP mlp({784, 64, 10});
  EXPECT_LT(train_steps(mlp, x, y, 10, 0.1), 0.5);
  LeNet5 lenet;
  EXPECT_LT(train_steps(lenet, x, y, 30, 0.1), 0.95);  // PyTorch: 2.315 -> 2.029 (0.876) on the same setup
  SmallCNN cnn;
  EXPECT_LT(train_steps(cnn, x, y, 10, 0.05), 0.9);
}

}  // namespace
}  // namespace eta::models
