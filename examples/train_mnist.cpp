// train_mnist: trains an MLP, LeNet-5 or the small CNN on MNIST-style IDX data (Fashion-MNIST from
// Debian's dataset-fashion-mnist by default), with any optimizer and schedule, live progress,
// per-epoch checkpoints that resume bit for bit, a metrics CSV, JSON lines and an SVG plot.
// train_images does the same for CIFAR-10 too; both share examples/common/fit.h.
#include "common/fit.h"

namespace {

using namespace eta;

const std::string kUsage = std::string(
    "usage: train_mnist [--model mlp|lenet|cnn] [--data DIR] [--epochs N] [--batch N]\n"
    "                   [--optimizer NAME] [--lr LR] [--OPTIMIZER_ARG VALUE ...]\n"
    "                   [--scheduler NAME] [--SCHEDULER_ARG VALUE ...] [--warmup STEPS]\n"
    "                   [--threads N] [--workers N] [--seed N] [--checkpoint FILE] [--resume FILE]\n"
    "                   [--metrics FILE.csv] [--plot FILE.svg] [--json true] [--limit N]\n"
    "  --model       mlp (784-256-128-10), lenet (LeNet-5) or cnn (small residual CNN); default mlp\n"
    "  --data        a directory with the four MNIST IDX files (.gz or not);\n"
    "                default /usr/share/datasets/fashion-mnist\n") + examples::kRunFlagsUsage +
    "Inputs are normalised with the training set's pixel mean and std.\n";

const std::vector<std::string> kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

int run(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  const std::string model_name = flags.take("model", "mlp");
  const std::string data_dir = flags.take("data", examples::kDefaultDataDir);
  examples::RunConfig config = examples::take_run_flags(flags);
  examples::route_rest(flags, "train_mnist", config);

  data::MnistDataset train_set = data::load_mnist(data_dir, true);
  const data::MnistDataset test_set = data::load_mnist(data_dir, false);
  if (config.limit > 0 && config.limit < train_set.size()) train_set = train_set.slice(0, config.limit);

  examples::RunSetup setup;
  setup.program = "train_mnist";
  setup.model_key = util::canonical_name(model_name);
  setup.data_label = data_dir;
  setup.train = &train_set;
  setup.test = &test_set;
  setup.test_transforms = {data::Normalize::fit(train_set)};  // the training set's pixel mean and std
  setup.train_transforms = setup.test_transforms;
  if (data_dir.find("fashion") != std::string::npos) setup.class_names = kFashionClasses;
  manual_seed(config.seed);
  setup.model = examples::make_model(model_name);
  return examples::fit_and_report(config, setup);
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("train_mnist", [&] { return run(argc, argv); });
}
