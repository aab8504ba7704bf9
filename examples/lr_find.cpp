// lr_find: the learning-rate range test (Smith 2017) on a chosen model and data set. Prints the
// suggested learning rates and writes the loss-versus-learning-rate curve as CSV and SVG.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/flags.h"
#include "common/training.h"
#include "eta/dist/ddp.h"
#include "eta/train/lr_find.h"
#include "eta/io/atomic_file.h"
#include "eta/train/svg_plot.h"

namespace {

using namespace eta;

const char* kUsage =
    "usage: lr_find [--model mlp|lenet|cnn] [--data DIR] [--batch N] [--optimizer NAME] [--OPTIMIZER_ARG V ...]\n"
    "               [--start_lr 1e-7] [--end_lr 10] [--num_iter 100] [--step_mode exp|linear]\n"
    "               [--smooth_beta 0.98] [--diverge_th 4] [--seed N] [--threads N] [--limit N]\n"
    "               [--csv FILE.csv] [--plot FILE.svg]\n"
    "Sweeps the learning rate over num_iter training steps, stops when the smoothed loss exceeds\n"
    "diverge_th x its best, restores the model and optimizer, and suggests a learning rate.\n";

// The curve as CSV and as an SVG plot (either path may be empty).
void write_outputs(const train::LRFindResult& r, const train::LRFindOptions& opt, const std::string& title,
                   const std::string& csv_path, const std::string& plot_path) {
  if (!csv_path.empty()) {
    std::ostringstream os;
    os.precision(10);
    os << "step,lr,loss,smoothed_loss\n";
    for (size_t i = 0; i < r.lrs.size(); ++i) os << i << ',' << r.lrs[i] << ',' << r.losses[i] << ',' << r.smoothed[i] << '\n';
    io::write_file_atomically(csv_path, os.str());
  }
  if (!plot_path.empty()) {
    train::SvgPlot plot;
    auto& ax = plot.add_panel("learning-rate range test: " + title, "learning rate",
                              "loss");
    ax.log_x = opt.step_mode == "exp";
    if (!r.smoothed.empty()) ax.y_max = 1.5 * std::max(r.losses.front(), r.smoothed.front());  // keep the divergence from flattening the curve
    ax.series.push_back({"loss", r.lrs, r.losses, false});
    ax.series.push_back({"smoothed", r.lrs, r.smoothed, false});
    if (r.steepest_index >= 0)
      ax.series.push_back({"steepest " + train::format_number(r.steepest_lr), {r.steepest_lr, r.steepest_lr},
                           {*std::min_element(r.smoothed.begin(), r.smoothed.end()),
                            *std::max_element(r.smoothed.begin(), r.smoothed.end())}, true});
    plot.save(plot_path);
  }
}

int run(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  const std::string model_name = flags.take("model", "mlp");
  const std::string data_dir = flags.take("data", examples::kDefaultDataDir);
  const int64_t batch = util::parse_int("--batch", flags.take("batch", "64"));
  const std::string optimizer_name = flags.take("optimizer", "sgd");
  const uint64_t seed = static_cast<uint64_t>(util::parse_int("--seed", flags.take("seed", "0")));
  const std::string threads = flags.take("threads", "");
  const int64_t limit = util::parse_int("--limit", flags.take("limit", "0"));
  const std::string csv_path = flags.take("csv", "");
  const std::string plot_path = flags.take("plot", "");
  train::LRFindOptions opt;
  opt.start_lr = util::parse_double("--start_lr", flags.take("start_lr", "1e-7"));
  opt.end_lr = util::parse_double("--end_lr", flags.take("end_lr", "10"));
  opt.num_iter = util::parse_int("--num_iter", flags.take("num_iter", "100"));
  opt.step_mode = flags.take("step_mode", "exp");
  opt.smooth_beta = util::parse_double("--smooth_beta", flags.take("smooth_beta", "0.98"));
  opt.diverge_th = util::parse_double("--diverge_th", flags.take("diverge_th", "4"));
  ETA_CHECK(batch >= dist::world_size(), "--batch must be at least 1 per process, got ", batch, " for ",
            dist::world_size(), " processes");
  if (!threads.empty()) set_num_threads(static_cast<int>(util::parse_int("--threads", threads)));
  optim::Flags opt_flags;
  sched::Flags unused;
  examples::route_flags(flags.rest(), "lr_find", optimizer_name, "", opt_flags, unused);
  char lr_text[32];
  std::snprintf(lr_text, sizeof lr_text, "%.17g", opt.start_lr);
  opt_flags["lr"] = lr_text;  // the sweep sets every step's rate anyway

  data::MnistDataset train_set = data::load_mnist(data_dir, true);
  if (limit > 0 && limit < train_set.size()) train_set = train_set.slice(0, limit);
  data::DataLoaderOptions lo;
  lo.batch_size = batch;
  lo.seed = seed;
  lo.drop_last = true;
  lo.transforms = {data::Normalize::fit(train_set)};  // the training set's pixel mean and std
  lo.rank = dist::rank();  // under mpirun: --batch is the global batch, each rank takes its slice
  lo.world_size = dist::world_size();
  data::DataLoader loader(train_set, lo);
  ETA_CHECK(loader.num_batches() > 0, "lr_find: fewer images (", train_set.size(), ") than one batch (", batch, ")");
  manual_seed(seed);
  auto model = examples::make_model(model_name);
  auto optimizer = optim::make_optimizer(optimizer_name, model->parameters(), opt_flags);
  std::unique_ptr<dist::DistributedDataParallel> replicas;
  if (dist::world_size() > 1) opt.replicas = (replicas = std::make_unique<dist::DistributedDataParallel>(*model)).get();

  // Batches cycle through epochs for as many steps as the sweep needs.
  const train::LRFindResult r = train::lr_find(*model, *optimizer, [&](int64_t step) {
    const int64_t epoch = step / loader.num_batches();
    if (loader.epoch() != epoch || step % loader.num_batches() == 0) loader.set_epoch(epoch);
    data::Batch b;
    loader.next(b);
    const double share = static_cast<double>(b.target.size(0)) / static_cast<double>(b.global_size);
    const Tensor loss = cross_entropy(model->forward(b.input), b.target);
    return share == 1.0 ? loss : mul(loss, share);
  }, opt);

  std::printf("lr_find: %s, %s, %zu steps from %g to %g (%s)%s\n", model->name().c_str(), optimizer->name().c_str(),
              r.lrs.size(), opt.start_lr, opt.end_lr, opt.step_mode.c_str(),
              r.diverged ? ", stopped: the loss diverged" : "");
  std::printf("suggested learning rate (steepest descent): %.3g\n", r.steepest_lr);
  std::printf("suggested learning rate (minimum / 10):     %.3g\n", r.min_lr_div10);
  if (dist::is_main()) write_outputs(r, opt, model->name() + ", " + optimizer->name(), csv_path, plot_path);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("lr_find", [&] { return run(argc, argv); });
}
