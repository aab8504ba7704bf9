// train_images: trains LeNet-5 or the small CNN (or an MLP) on an image directory — MNIST-style IDX
// files or CIFAR-10's binary batches, detected from the files in --data. The models take the
// images' channels and size; CIFAR-10 is augmented (random crop with padding 4, horizontal flip)
// unless --augment false. Inputs are normalised per channel with the training set's statistics.
#include "common/fit.h"
#include "eta/data/cifar10.h"

namespace {

using namespace eta;

const std::string kUsage = std::string(
    "usage: train_images --data DIR [--model lenet|cnn|mlp] [--augment true|false] [flags of every run]\n"
    "  --data        a directory with MNIST-style IDX files (train-images-idx3-ubyte[.gz], ...) or\n"
    "                CIFAR-10's binary version (data_batch_1.bin..data_batch_5.bin, test_batch.bin,\n"
    "                batches.meta.txt); default /usr/share/datasets/fashion-mnist\n"
    "  --model       lenet (LeNet-5), cnn (small residual CNN) or mlp (one hidden layer of 256); default lenet\n"
    "  --augment     random crop (padding 4) and horizontal flip on CIFAR-10; default true\n") +
    eta::examples::kRunFlagsUsage;

std::shared_ptr<nn::Module> make_image_model(const std::string& name, const data::ExampleSpec& spec, int64_t classes) {
  const models::ImageShape shape{spec.input_shape[0], spec.input_shape[1], spec.input_shape[2]};
  const std::string n = util::canonical_name(name);
  if (n == "lenet" || n == "lenet5") return std::make_shared<models::LeNet5>(shape, classes);
  if (n == "cnn" || n == "smallcnn") return std::make_shared<models::SmallCNN>(shape, classes);
  if (n == "mlp")
    return std::make_shared<models::MLP>(std::vector<int64_t>{shape.channels * shape.height * shape.width, 256, classes});
  detail::throw_error("unknown --model '", name, "' (expected lenet, cnn or mlp)");
}

// The training and test halves of `dir`, whichever format it holds.
std::pair<std::unique_ptr<data::Dataset>, std::unique_ptr<data::Dataset>> load_images(const std::string& dir,
                                                                                       int64_t limit, bool& cifar) {
  cifar = data::is_cifar10_dir(dir);
  if (cifar) {
    auto train = std::make_unique<data::Cifar10Dataset>(data::load_cifar10(dir, true));
    auto test = std::make_unique<data::Cifar10Dataset>(data::load_cifar10(dir, false));
    if (limit > 0 && limit < train->size()) {
      std::vector<int64_t> first(static_cast<size_t>(limit));
      for (int64_t i = 0; i < limit; ++i) first[static_cast<size_t>(i)] = i;
      return {std::make_unique<data::Subset>(std::shared_ptr<const data::Dataset>(std::move(train)), first),
              std::move(test)};
    }
    return {std::move(train), std::move(test)};
  }
  auto train = std::make_unique<data::MnistDataset>(data::load_mnist(dir, true));
  if (limit > 0 && limit < train->size()) *train = train->slice(0, limit);
  return {std::move(train), std::make_unique<data::MnistDataset>(data::load_mnist(dir, false))};
}

int run(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  const std::string model_name = flags.take("model", "lenet");
  const std::string data_dir = flags.take("data", examples::kDefaultDataDir);
  const bool augment = util::parse_bool("--augment", flags.take("augment", "true"));
  examples::RunConfig config = examples::take_run_flags(flags);
  examples::route_rest(flags, "train_images", config);

  bool cifar = false;
  auto [train_set, test_set] = load_images(data_dir, config.limit, cifar);
  examples::RunSetup setup;
  setup.program = "train_images";
  setup.model_key = util::canonical_name(model_name);
  setup.data_label = std::string(cifar ? "CIFAR-10 at " : "MNIST-style IDX at ") + data_dir;
  setup.train = train_set.get();
  setup.test = test_set.get();
  setup.class_names = train_set->class_names();
  setup.test_transforms = {data::Normalize::fit(*train_set)};  // per channel, from the training images
  if (cifar && augment)
    setup.train_transforms = {std::make_shared<data::RandomCrop>(32, 32, 4),
                              std::make_shared<data::RandomHorizontalFlip>(), setup.test_transforms[0]};
  else
    setup.train_transforms = setup.test_transforms;
  manual_seed(config.seed);
  setup.model = make_image_model(model_name, train_set->spec(), std::max<int64_t>(train_set->num_classes(), 2));
  return examples::fit_and_report(config, setup);
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("train_images", [&] { return run(argc, argv); });
}
