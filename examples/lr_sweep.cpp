// lr_sweep: why do we give a learning rate? Trains the same model, from the same initial weights
// and data order, for a short budget at several learning rates and then at a few schedules, draws
// every loss curve in one SVG and prints a table: too small is slow, too large diverges.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "common/flags.h"
#include "common/training.h"
#include "eta/dist/ddp.h"
#include "eta/sched/cosine_annealing_lr.h"
#include "eta/sched/linear_lr.h"
#include "eta/sched/one_cycle_lr.h"
#include "eta/sched/sequential_lr.h"
#include "eta/train/evaluate.h"
#include "eta/train/smoothed_loss.h"
#include "eta/io/atomic_file.h"
#include "eta/train/svg_plot.h"

namespace {

using namespace eta;

const char* kUsage =
    "usage: lr_sweep [--model mlp|lenet|cnn] [--data DIR] [--optimizer NAME] [--OPTIMIZER_ARG V ...]\n"
    "                [--lrs 1e-4,1e-3,1e-2,1e-1,1,10] [--steps 300] [--batch 64] [--schedules true]\n"
    "                [--seed N] [--threads N] [--limit N] [--test_limit 2000] [--plot FILE.svg] [--csv FILE.csv]\n"
    "                [--hypergradient true] [--hypergrad_lr 1e-3]\n"
    "Each run starts from the same weights and sees the same batches. A run diverges when its loss\n"
    "is not finite or its smoothed loss exceeds 4x the best smoothed loss so far (lr_find's rule);\n"
    "it is reported, not plotted on.\n"
    "With --schedules true (default), the best constant rate is also run with cosine annealing,\n"
    "one-cycle and 10% linear warm-up followed by cosine annealing.\n"
    "With --hypergradient true (default, for --optimizer sgd), SGD-HD (hypergradient descent on the\n"
    "learning rate, step size --hypergrad_lr) also starts from the smallest and the largest rate of\n"
    "the sweep: does a learned rate recover from a bad start?\n";

struct RunResult {
  std::string label;
  double lr = 0;
  std::vector<double> steps, smoothed;
  int64_t diverged_at = -1;  // step, or -1
  double final_lr = std::numeric_limits<double>::quiet_NaN();  // the rate at the end (learned by SGD-HD)
  double final_loss = std::numeric_limits<double>::quiet_NaN();
  double test_acc = std::numeric_limits<double>::quiet_NaN();
};

using SchedulerMaker = std::function<std::unique_ptr<sched::Scheduler>(optim::Optimizer&)>;

struct Sweep {
  std::string model_name, optimizer_name, plot_path, csv_path;
  std::vector<double> lrs;
  int64_t steps = 300, batch = 64;
  bool schedules = true, hypergradient = true;
  double hypergrad_lr = 1e-3;
  uint64_t seed = 0;
  optim::Flags opt_flags;
  std::unique_ptr<data::MnistDataset> train_set, test_set;
  data::DataLoaderOptions loader;
};

Sweep parse(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  Sweep w;
  w.model_name = flags.take("model", "mlp");
  const std::string data_dir = flags.take("data", examples::kDefaultDataDir);
  w.optimizer_name = flags.take("optimizer", "sgd");
  w.lrs = util::parse_double_list("--lrs", flags.take("lrs", "1e-4,1e-3,1e-2,1e-1,1,10"));
  w.steps = util::parse_int("--steps", flags.take("steps", "300"));
  w.batch = util::parse_int("--batch", flags.take("batch", "64"));
  w.schedules = util::parse_bool("--schedules", flags.take("schedules", "true"));
  w.hypergradient = util::parse_bool("--hypergradient", flags.take("hypergradient", "true"));
  w.hypergrad_lr = util::parse_double("--hypergrad_lr", flags.take("hypergrad_lr", "1e-3"));
  ETA_CHECK(w.hypergrad_lr >= 0, "--hypergrad_lr must be non-negative, got ", w.hypergrad_lr);
  w.seed = static_cast<uint64_t>(util::parse_int("--seed", flags.take("seed", "0")));
  const std::string threads = flags.take("threads", "");
  const int64_t limit = util::parse_int("--limit", flags.take("limit", "0"));
  const int64_t test_limit = util::parse_int("--test_limit", flags.take("test_limit", "2000"));
  w.plot_path = flags.take("plot", "");
  w.csv_path = flags.take("csv", "");
  ETA_CHECK(w.steps >= 1 && w.batch >= 1 && !w.lrs.empty(), "--steps and --batch must be positive and --lrs non-empty");
  for (double lr : w.lrs) ETA_CHECK(lr > 0, "--lrs: learning rates must be positive, got ", lr);
  if (!threads.empty()) set_num_threads(static_cast<int>(util::parse_int("--threads", threads)));
  sched::Flags unused;
  examples::route_flags(flags.rest(), "lr_sweep", w.optimizer_name, "", w.opt_flags, unused);

  w.train_set = std::make_unique<data::MnistDataset>(data::load_mnist(data_dir, true));
  w.test_set = std::make_unique<data::MnistDataset>(data::load_mnist(data_dir, false));
  if (limit > 0 && limit < w.train_set->size()) *w.train_set = w.train_set->slice(0, limit);
  if (test_limit > 0 && test_limit < w.test_set->size()) *w.test_set = w.test_set->slice(0, test_limit);
  ETA_CHECK(w.batch >= dist::world_size(), "--batch is the global batch: at least 1 per process, got ", w.batch,
            " for ", dist::world_size(), " processes");
  w.loader = {.batch_size = w.batch, .seed = w.seed, .drop_last = true,
              .transforms = {data::Normalize::fit(*w.train_set)},  // the training set's pixel mean and std
              .rank = dist::rank(), .world_size = dist::world_size()};  // under mpirun: each rank's slice
  ETA_CHECK(data::DataLoader(*w.train_set, w.loader).num_batches() > 0, "lr_sweep: fewer images than one batch");
  return w;
}

// One run from the common initial weights over the common batches, at `lr` (and a schedule), with
// the sweep's optimizer or, given `optimizer`, that one with `flags`.
RunResult train_once(const Sweep& w, const std::string& label, double lr, const SchedulerMaker& make_sched,
                     const std::string& optimizer_name = "", const optim::Flags& flags = {}) {
  RunResult r;
  r.label = label;
  r.lr = lr;
  manual_seed(w.seed);  // same initial weights for every run
  auto model = examples::make_model(w.model_name);
  optim::Flags f = optimizer_name.empty() ? w.opt_flags : flags;
  char lr_text[32];
  std::snprintf(lr_text, sizeof lr_text, "%.17g", lr);
  f["lr"] = lr_text;
  auto optimizer =
      optim::make_optimizer(optimizer_name.empty() ? w.optimizer_name : optimizer_name, model->parameters(), f);
  auto scheduler = make_sched ? make_sched(*optimizer) : nullptr;
  std::unique_ptr<dist::DistributedDataParallel> replicas;
  if (dist::world_size() > 1) replicas = std::make_unique<dist::DistributedDataParallel>(*model);
  data::DataLoader loader(*w.train_set, w.loader);
  train::SmoothedLoss smoothed;  // the rule lr_find uses too
  for (int64_t step = 0; step < w.steps; ++step) {
    if (step % loader.num_batches() == 0) loader.set_epoch(step / loader.num_batches());
    data::Batch b;
    loader.next(b);
    optimizer->zero_grad();
    const Tensor loss = cross_entropy(model->forward(b.input), b.target);
    double global = loss.item();
    if (replicas) {  // the global batch's mean loss: each rank's weighted by its share
      std::vector<double> sum{global * static_cast<double>(b.target.size(0)) / static_cast<double>(b.global_size)};
      replicas->all_reduce(sum);
      global = sum[0];
    }
    const double value = smoothed.add(global);
    if (smoothed.diverged()) {  // stop, report, plot what came before
      r.diverged_at = step + 1;
      return r;
    }
    r.steps.push_back(static_cast<double>(step + 1));
    r.smoothed.push_back(value);
    loss.backward();
    if (replicas) replicas->sync_gradients(b.target.size(0));
    optimizer->step();
    if (scheduler) scheduler->step();
  }
  r.final_loss = r.smoothed.back();
  r.final_lr = optimizer->param_groups()[0].lr();
  r.test_acc = train::evaluate(*model, *w.test_set, train::Task::Classification, w.loader.transforms, 1000, 5,
                               replicas.get()).accuracy();
  return r;
}

// Cosine, one-cycle and warm-up + cosine, each peaking at `lr`, over the sweep's steps.
std::vector<std::pair<std::string, SchedulerMaker>> schedule_makers(double lr, int64_t steps) {
  const std::string at = " (peak " + train::format_number(lr) + ")";
  return {{"cosine" + at, [=](optim::Optimizer& o) { return std::make_unique<sched::CosineAnnealingLR>(o, steps); }},
          {"one-cycle" + at,
           [=](optim::Optimizer& o) {
             sched::OneCycleLROptions oc;
             oc.max_lr = {lr};
             oc.total_steps = steps;
             oc.cycle_momentum = false;  // works with any optimizer, momentum or not
             return std::make_unique<sched::OneCycleLR>(o, oc);
           }},
          {"warmup 10% + cosine" + at, [=](optim::Optimizer& o) {
             const int64_t w = std::max<int64_t>(1, steps / 10);
             std::vector<std::unique_ptr<sched::Scheduler>> parts;
             parts.push_back(std::make_unique<sched::LinearLR>(o, 0.01, 1.0, w));
             parts.push_back(std::make_unique<sched::CosineAnnealingLR>(o, std::max<int64_t>(1, steps - w)));
             return std::make_unique<sched::SequentialLR>(o, std::move(parts), std::vector<int64_t>{w});
           }}};
}

// The table on stdout (verdicts relative to the best run) and the CSV, if asked for.
void report(const Sweep& w, const std::vector<RunResult>& runs) {
  double best_loss = std::numeric_limits<double>::infinity();
  for (const RunResult& r : runs)
    if (r.diverged_at < 0) best_loss = std::min(best_loss, r.final_loss);
  std::printf("lr_sweep: %s, %s, %ld steps of batch %ld per run, same initial weights and batches\n",
              w.model_name.c_str(), w.optimizer_name.c_str(), static_cast<long>(w.steps), static_cast<long>(w.batch));
  std::printf("%-44s %12s %10s  %s\n", "run", "final loss", "test acc", "verdict");
  std::ostringstream csv;
  csv << "run,lr,final_smoothed_loss,test_acc,diverged_at_step\n";
  for (const RunResult& r : runs) {
    std::string verdict;
    if (r.diverged_at > 0) verdict = "diverged at step " + std::to_string(r.diverged_at) + ": too large";
    else if (r.final_loss == best_loss) verdict = "best";
    else if (r.final_loss > 1.5 * best_loss) verdict = "slow: too small, or unstable";
    else verdict = "ok";
    if (r.diverged_at > 0)
      std::printf("%-44s %12s %10s  %s\n", r.label.c_str(), "-", "-", verdict.c_str());
    else
      std::printf("%-44s %12.4f %10.4f  %s\n", r.label.c_str(), r.final_loss, r.test_acc, verdict.c_str());
    csv << '"' << r.label << "\"," << r.lr << ',' << r.final_loss << ',' << r.test_acc << ',' << r.diverged_at << '\n';
  }
  if (!w.csv_path.empty() && dist::is_main()) io::write_file_atomically(w.csv_path, csv.str());
}

void plot_runs(const Sweep& w, const std::vector<RunResult>& runs) {
  train::SvgPlot plot;
  auto& ax = plot.add_panel("lr_sweep: " + w.model_name + ", " + w.optimizer_name + " (smoothed training loss)", "step",
                            "loss");
  ax.log_y = true;
  for (const RunResult& r : runs) {
    std::string label = r.label;
    if (r.diverged_at > 0) label += " (diverged)";
    ax.series.push_back({label, r.steps, r.smoothed, r.label.rfind("lr ", 0) != 0});  // constant rates solid
  }
  plot.save(w.plot_path);
}

int run(int argc, char** argv) {
  const Sweep w = parse(argc, argv);
  std::vector<RunResult> runs;
  for (double lr : w.lrs) {
    runs.push_back(train_once(w, "lr " + train::format_number(lr), lr, nullptr));
    const RunResult& r = runs.back();
    std::fprintf(stderr, "  %-28s %s\n", r.label.c_str(),
                 r.diverged_at > 0 ? ("diverged at step " + std::to_string(r.diverged_at)).c_str()
                                   : ("loss " + train::format_number(r.final_loss)).c_str());
  }
  const RunResult* best = nullptr;
  for (const RunResult& r : runs)
    if (r.diverged_at < 0 && (!best || r.final_loss < best->final_loss)) best = &r;
  if (w.schedules && best) {
    const double lr = best->lr;
    for (const auto& [label, make] : schedule_makers(lr, w.steps)) runs.push_back(train_once(w, label, lr, make));
  }
  if (w.hypergradient && util::canonical_name(w.optimizer_name) == "sgd" && w.lrs.size() > 1) {
    // SGD-HD from the worst starts: the smallest rate (crawls) and the largest (diverges, usually).
    const auto [lo, hi] = std::minmax_element(w.lrs.begin(), w.lrs.end());
    for (double lr : {*lo, *hi}) {
      optim::Flags f{{"hypergrad_lr", train::format_number(w.hypergrad_lr)}};
      if (w.opt_flags.count("weight_decay")) f["weight_decay"] = w.opt_flags.at("weight_decay");
      RunResult r = train_once(w, "SGD-HD from lr " + train::format_number(lr), lr, nullptr, "sgdhd", f);
      if (r.diverged_at < 0) r.label += " (ends at " + train::format_number(r.final_lr) + ")";
      runs.push_back(r);
    }
  }
  report(w, runs);
  if (!w.plot_path.empty() && dist::is_main()) plot_runs(w, runs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("lr_sweep", [&] { return run(argc, argv); });
}
