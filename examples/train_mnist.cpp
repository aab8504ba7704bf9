// train_mnist: trains an MLP, LeNet-5 or the small CNN on MNIST-style IDX data (Fashion-MNIST from
// Debian's dataset-fashion-mnist by default), with any optimizer and schedule, live progress,
// per-epoch checkpoints that resume bit for bit, a metrics CSV, JSON lines and an SVG plot.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "common/flags.h"
#include "common/training.h"
#include "eta/sched/linear_lr.h"
#include "eta/sched/sequential_lr.h"
#include "eta/train/checkpoint.h"
#include "eta/train/progress.h"
#include "eta/train/svg_plot.h"

namespace {

using namespace eta;

const char* kUsage =
    "usage: train_mnist [--model mlp|lenet|cnn] [--data DIR] [--epochs N] [--batch N]\n"
    "                   [--optimizer NAME] [--lr LR] [--OPTIMIZER_ARG VALUE ...]\n"
    "                   [--scheduler NAME] [--SCHEDULER_ARG VALUE ...] [--warmup STEPS]\n"
    "                   [--threads N] [--seed N] [--checkpoint FILE] [--resume FILE]\n"
    "                   [--metrics FILE.csv] [--plot FILE.svg] [--json true] [--limit N]\n"
    "  --model       mlp (784-256-128-10), lenet (LeNet-5) or cnn (small residual CNN); default mlp\n"
    "  --data        a directory with the four MNIST IDX files (.gz or not);\n"
    "                default /usr/share/datasets/fashion-mnist\n"
    "  --epochs      total epochs (a resumed run trains only the missing ones); default 5\n"
    "  --batch       batch size; default 64\n"
    "  --optimizer   PyTorch's name, any case (sgd, adam, adamw, rmsprop, ...); default adam.\n"
    "                Its hyper-parameters are flags with PyTorch's names: --lr, --momentum,\n"
    "                --betas 0.9,0.999, --weight_decay, --nesterov true, ...\n"
    "  --scheduler   PyTorch's name (StepLR, CosineAnnealingLR, OneCycleLR, ...) with its\n"
    "                arguments as flags; stepped once per batch, so its arguments count batches.\n"
    "                OneCycleLR's total_steps and CosineAnnealingLR's T_max default to the run's\n"
    "                length. ReduceLROnPlateau is stepped once per epoch with the test loss.\n"
    "  --warmup      linear warm-up over this many batches (then the scheduler, if any)\n"
    "  --threads     threads for OpenMP and OpenBLAS; default: OMP_NUM_THREADS or all cores\n"
    "  --seed        seed for initialisation, shuffling and dropout; default 0\n"
    "  --checkpoint  save model, optimizer, scheduler and run state here after every epoch\n"
    "  --resume      continue the run saved in this checkpoint\n"
    "  --metrics     write per-epoch metrics as CSV\n"
    "  --plot        draw loss and learning-rate curves as SVG\n"
    "  --json        true: one JSON object per epoch on stdout (human output goes to stderr)\n"
    "  --limit       use only the first N training images (quick runs and tests)\n";

const std::vector<std::string> kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

struct EpochRecord {
  double train_loss, test_loss, test_acc, lr, seconds, images_per_second;
};

std::string csv(const std::vector<EpochRecord>& rows) {
  std::ostringstream os;
  os.precision(17);
  os << "epoch,train_loss,test_loss,test_acc,lr,train_seconds,images_per_second\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    os << i + 1 << ',' << r.train_loss << ',' << r.test_loss << ',' << r.test_acc << ',' << r.lr << ',' << r.seconds << ','
       << r.images_per_second << '\n';
  }
  return os.str();
}

// History tensors for the checkpoint: per-step losses and learning rates, per-epoch records.
Tensor to_tensor(const std::vector<double>& v) { return from_vector(v, {static_cast<int64_t>(v.size())}, kFloat64); }

int run(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  const std::string model_name = flags.take("model", "mlp");
  const std::string data_dir = flags.take("data", examples::kDefaultDataDir);
  const int64_t epochs = util::parse_int("--epochs", flags.take("epochs", "5"));
  const int64_t batch = util::parse_int("--batch", flags.take("batch", "64"));
  const std::string optimizer_name = flags.take("optimizer", "adam");
  const std::string scheduler_name = flags.take("scheduler", "");
  const int64_t warmup = util::parse_int("--warmup", flags.take("warmup", "0"));
  const std::string threads = flags.take("threads", "");
  const uint64_t seed = static_cast<uint64_t>(util::parse_int("--seed", flags.take("seed", "0")));
  const std::string checkpoint = flags.take("checkpoint", "");
  const std::string resume = flags.take("resume", "");
  const std::string metrics_path = flags.take("metrics", "");
  const std::string plot_path = flags.take("plot", "");
  const bool json = util::parse_bool("--json", flags.take("json", "false"));
  const int64_t limit = util::parse_int("--limit", flags.take("limit", "0"));
  ETA_CHECK(epochs >= 1, "--epochs must be at least 1, got ", epochs);
  ETA_CHECK(batch >= 1, "--batch must be at least 1, got ", batch);
  ETA_CHECK(warmup >= 0, "--warmup must be non-negative, got ", warmup);
  ETA_CHECK(limit >= 0, "--limit must be non-negative, got ", limit);
  if (!threads.empty()) set_num_threads(static_cast<int>(util::parse_int("--threads", threads)));

  // The rest are the optimizer's and the scheduler's own arguments.
  optim::Flags opt_flags;
  sched::Flags sched_flags;
  examples::route_flags(flags.rest(), "train_mnist", optimizer_name, scheduler_name, opt_flags, sched_flags);

  data::MnistDataset train_set = data::load_mnist(data_dir, true);
  const data::MnistDataset test_set = data::load_mnist(data_dir, false);
  if (limit > 0 && limit < train_set.size()) train_set = train_set.slice(0, limit);
  data::DataLoaderOptions loader_opt;
  loader_opt.batch_size = batch;
  loader_opt.seed = seed;
  loader_opt.transforms = {data::Normalize::fit(train_set)};  // the training set's pixel mean and std
  data::DataLoader loader(train_set, loader_opt);
  const int64_t steps_per_epoch = loader.num_batches();
  const int64_t total_steps = steps_per_epoch * epochs;

  manual_seed(seed);
  std::shared_ptr<nn::Module> model = examples::make_model(model_name);
  std::unique_ptr<optim::Optimizer> optimizer = optim::make_optimizer(optimizer_name, model->parameters(), opt_flags);
  const std::string sched_canon = util::canonical_name(scheduler_name);
  if (sched_canon == "onecyclelr" && !sched_flags.count("total_steps") && !sched_flags.count("epochs"))
    sched_flags["total_steps"] = std::to_string(total_steps);
  if (sched_canon == "cosineannealinglr" && !sched_flags.count("T_max"))
    sched_flags["T_max"] = std::to_string(std::max<int64_t>(1, total_steps - warmup));
  const bool plateau = sched_canon == "reducelronplateau";
  std::unique_ptr<sched::Scheduler> scheduler;
  if (warmup > 0) {
    std::vector<std::unique_ptr<sched::Scheduler>> parts;
    parts.push_back(std::make_unique<sched::LinearLR>(*optimizer, 1.0 / static_cast<double>(warmup + 1), 1.0, warmup));
    ETA_CHECK(!plateau, "--warmup cannot be combined with ReduceLROnPlateau (it is stepped per epoch)");
    if (!scheduler_name.empty()) {
      parts.push_back(sched::make_scheduler(scheduler_name, *optimizer, sched_flags));
      scheduler = std::make_unique<sched::SequentialLR>(*optimizer, std::move(parts), std::vector<int64_t>{warmup});
    } else {
      scheduler = std::move(parts[0]);
    }
  } else if (!scheduler_name.empty()) {
    scheduler = sched::make_scheduler(scheduler_name, *optimizer, sched_flags);
  }

  std::vector<double> step_loss, step_lr;
  std::vector<EpochRecord> records;
  int64_t start_epoch = 0;
  if (!resume.empty()) {
    const train::CheckpointExtras ex = train::load_checkpoint(resume, *model, *optimizer, scheduler.get());
    const auto meta = [&](const char* k) {
      ETA_CHECK(ex.metadata.count(k), "--resume: ", resume, " has no '", k, "' entry");
      return ex.metadata.at(k);
    };
    ETA_CHECK(meta("model") == util::canonical_name(model_name), "--resume: ", resume, " holds a ", meta("model"),
              " model, but --model is ", model_name);
    ETA_CHECK(meta("seed") == std::to_string(seed), "--resume: ", resume, " was trained with --seed ", meta("seed"),
              "; pass the same seed");
    ETA_CHECK(meta("batch") == std::to_string(batch) && meta("train_size") == std::to_string(train_set.size()),
              "--resume: ", resume, " was trained with batch ", meta("batch"), " on ", meta("train_size"),
              " images; this run has batch ", batch, " on ", train_set.size());
    start_epoch = util::parse_int("epoch", meta("epoch"));
    train::generator_state_from_string(default_generator(), meta("generator"));
    step_loss = ex.tensors.at("step_loss").to_vector();
    step_lr = ex.tensors.at("step_lr").to_vector();
    const std::vector<double> flat = ex.tensors.at("epochs").to_vector();
    for (size_t i = 0; i + 6 <= flat.size(); i += 6)
      records.push_back({flat[i], flat[i + 1], flat[i + 2], flat[i + 3], flat[i + 4], flat[i + 5]});
    std::fprintf(json ? stderr : stdout, "resumed %s after epoch %ld\n", resume.c_str(), static_cast<long>(start_epoch));
  }

  std::FILE* human = json ? stderr : stdout;
  std::fprintf(human, "train_mnist: %s (%ld parameters) on %s: %ld train / %ld test images, batch %ld, %s lr %s%s%s, %d threads, %s\n",
               model->name().c_str(), static_cast<long>(model->num_parameters()), data_dir.c_str(),
               static_cast<long>(train_set.size()), static_cast<long>(test_set.size()), static_cast<long>(batch),
               optimizer->name().c_str(), opt_flags["lr"].c_str(), scheduler ? ", schedule " : "",
               scheduler ? scheduler->name().c_str() : "", get_num_threads(), blas_info().c_str());

  examples::Evaluation last_eval = examples::evaluate(*model, test_set, loader_opt);
  for (int64_t epoch = start_epoch; epoch < epochs; ++epoch) {
    loader.set_epoch(epoch);
    train::ProgressBar bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(epochs), steps_per_epoch, human);
    double loss_sum = 0;
    int64_t seen = 0;
    data::Batch b;
    while (loader.next(b)) {
      const double lr = optimizer->param_groups()[0].lr();
      optimizer->zero_grad();
      const Tensor loss = cross_entropy(model->forward(b.input), b.target);
      const double value = loss.item();
      ETA_CHECK(std::isfinite(value), "the loss became ", value, " at epoch ", epoch + 1, " step ", b.index + 1,
                " (learning rate ", lr, "): training diverged; try a smaller --lr");
      loss.backward();
      optimizer->step();
      if (scheduler && !plateau) scheduler->step();
      step_loss.push_back(value);
      step_lr.push_back(lr);
      loss_sum += value * static_cast<double>(b.target.numel());
      seen += b.target.numel();
      bar.update(b.index + 1, value, lr, seen);
    }
    const double seconds = bar.seconds();
    last_eval = examples::evaluate(*model, test_set, loader_opt);
    if (scheduler && plateau) scheduler->step(last_eval.loss);
    const EpochRecord rec{loss_sum / static_cast<double>(seen), last_eval.loss, last_eval.confusion.accuracy(),
                          step_lr.back(), seconds, static_cast<double>(seen) / seconds};
    records.push_back(rec);
    char line[256];
    std::snprintf(line, sizeof line, "train_loss %.4f test_loss %.4f test_acc %.4f lr %.3g %.1fs %.0f img/s",
                  rec.train_loss, rec.test_loss, rec.test_acc, rec.lr, rec.seconds, rec.images_per_second);
    bar.finish(line);
    if (json) {
      std::printf("{\"epoch\": %ld, \"train_loss\": %.17g, \"test_loss\": %.17g, \"test_acc\": %.17g, \"lr\": %.17g, "
                  "\"train_seconds\": %.6f, \"images_per_second\": %.3f}\n",
                  static_cast<long>(epoch + 1), rec.train_loss, rec.test_loss, rec.test_acc, rec.lr, rec.seconds,
                  rec.images_per_second);
      std::fflush(stdout);
    }
    if (!checkpoint.empty()) {
      train::CheckpointExtras ex;
      ex.metadata = {{"epoch", std::to_string(epoch + 1)},
                     {"model", util::canonical_name(model_name)},
                     {"seed", std::to_string(seed)},
                     {"batch", std::to_string(batch)},
                     {"train_size", std::to_string(train_set.size())},
                     {"generator", train::generator_state_to_string(default_generator())}};
      std::vector<double> flat;
      for (const auto& r : records) flat.insert(flat.end(), {r.train_loss, r.test_loss, r.test_acc, r.lr, r.seconds, r.images_per_second});
      ex.tensors = {{"step_loss", to_tensor(step_loss)}, {"step_lr", to_tensor(step_lr)}, {"epochs", to_tensor(flat)}};
      train::save_checkpoint(checkpoint, *model, *optimizer, scheduler.get(), ex);
    }
    if (!metrics_path.empty()) train::write_file_atomically(metrics_path, csv(records));
  }

  if (!plot_path.empty()) {
    train::SvgPlot plot;
    auto& losses = plot.add_panel("train_mnist: " + model->name() + ", " + optimizer->name(), "step", "cross-entropy loss");
    std::vector<double> steps(step_loss.size()), epoch_steps, test_losses;
    for (size_t i = 0; i < steps.size(); ++i) steps[i] = static_cast<double>(i + 1);
    for (size_t e = 0; e < records.size(); ++e) {
      epoch_steps.push_back(static_cast<double>((e + 1) * static_cast<size_t>(steps_per_epoch)));
      test_losses.push_back(records[e].test_loss);
    }
    // The raw per-step loss is noisy: draw it faintly, with a bias-corrected moving average on top.
    std::vector<double> smooth(step_loss.size());
    double ema = 0;
    for (size_t i = 0; i < step_loss.size(); ++i) {
      ema = 0.98 * ema + 0.02 * step_loss[i];
      smooth[i] = ema / (1 - std::pow(0.98, static_cast<double>(i + 1)));
    }
    losses.series.push_back({"train (per step)", steps, step_loss, false, 0.3});
    losses.series.push_back({"train (smoothed)", steps, smooth, false});
    losses.series.push_back({"test (per epoch)", epoch_steps, test_losses, true});
    auto& lrs = plot.add_panel("learning rate", "step", "learning rate");
    lrs.series.push_back({"lr", steps, step_lr, false});
    plot.save(plot_path);
  }

  const bool fashion = data_dir.find("fashion") != std::string::npos;
  std::fprintf(human, "\ntest accuracy %.4f (%ld images), test loss %.4f\n", last_eval.confusion.accuracy(),
               static_cast<long>(last_eval.confusion.total()), last_eval.loss);
  std::fprintf(human, "confusion matrix (rows: true class, columns: predicted):\n%s",
               last_eval.confusion.to_string(fashion ? kFashionClasses : std::vector<std::string>{}).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("train_mnist", [&] { return run(argc, argv); });
}
