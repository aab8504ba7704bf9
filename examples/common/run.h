// A supervised training run shared by train_mnist, train_images and train_tabular: the common
// flags (epochs, batch, optimizer and scheduler with their own flags, seed, threads, checkpoint and
// resume, metrics, plot, JSON lines), building the schedule, the epoch loop with exact resume,
// evaluation for classification (loss, accuracy, confusion) or regression (MSE, RMSE, MAE, R²),
// and the report. Header-only; examples only. (The library's Trainer, issue 13, will take this over.)
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/flags.h"
#include "common/training.h"
#include "eta/sched/linear_lr.h"
#include "eta/sched/sequential_lr.h"
#include "eta/threads.h"
#include "eta/train/checkpoint.h"
#include "eta/train/progress.h"
#include "eta/train/svg_plot.h"

namespace eta::examples {

// Usage lines for the flags every training program shares.
inline const char* kRunFlagsUsage =
    "  --epochs      total epochs (a resumed run trains only the missing ones); default 5\n"
    "  --batch       batch size; default 64\n"
    "  --optimizer   PyTorch's name, any case (sgd, adam, adamw, rmsprop, ...); default adam.\n"
    "                Its hyper-parameters are flags with PyTorch's names: --lr, --momentum,\n"
    "                --betas 0.9,0.999, --weight_decay, --nesterov true, ...\n"
    "  --scheduler   PyTorch's name (StepLR, CosineAnnealingLR, OneCycleLR, ...) with its\n"
    "                arguments as flags; stepped once per batch, so its arguments count batches.\n"
    "                OneCycleLR's total_steps and CosineAnnealingLR's T_max default to the run's\n"
    "                length (after --warmup). ReduceLROnPlateau is stepped once per epoch with the\n"
    "                test loss.\n"
    "  --warmup      linear warm-up over this many batches (then the scheduler, if any)\n"
    "  --threads     threads for OpenMP and OpenBLAS; default: OMP_NUM_THREADS or all cores\n"
    "  --workers     background threads assembling batches ahead of training; default 0\n"
    "  --seed        seed for initialisation, shuffling, augmentation and dropout; default 0\n"
    "  --checkpoint  save model, optimizer, scheduler and run state here after every epoch\n"
    "  --resume      continue the run saved in this checkpoint\n"
    "  --metrics     write per-epoch metrics as CSV\n"
    "  --plot        draw loss and learning-rate curves as SVG\n"
    "  --json        true: one JSON object per epoch on stdout (human output goes to stderr)\n"
    "  --limit       use only the first N training examples (quick runs and tests)\n";

enum class Task { Classification, Regression };

inline Task parse_task(const std::string& text) {
  const std::string t = util::canonical_name(text);
  if (t == "classification") return Task::Classification;
  if (t == "regression") return Task::Regression;
  detail::throw_error("--task must be classification or regression, got '", text, "'");
}

struct RunConfig {
  int64_t epochs = 5, batch = 64, warmup = 0, limit = 0, workers = 0;
  uint64_t seed = 0;
  std::string optimizer, scheduler, checkpoint, resume, metrics, plot;
  bool json = false;
  optim::Flags opt_flags;
  sched::Flags sched_flags;
};

// Takes the shared flags out of `flags` (and sets the thread count). Call route_rest() once the
// program has taken its own flags.
inline RunConfig take_run_flags(Flags& flags) {
  RunConfig c;
  c.epochs = util::parse_int("--epochs", flags.take("epochs", "5"));
  c.batch = util::parse_int("--batch", flags.take("batch", "64"));
  c.optimizer = flags.take("optimizer", "adam");
  c.scheduler = flags.take("scheduler", "");
  c.warmup = util::parse_int("--warmup", flags.take("warmup", "0"));
  const std::string threads = flags.take("threads", "");
  c.workers = util::parse_int("--workers", flags.take("workers", "0"));
  c.seed = static_cast<uint64_t>(util::parse_int("--seed", flags.take("seed", "0")));
  c.checkpoint = flags.take("checkpoint", "");
  c.resume = flags.take("resume", "");
  c.metrics = flags.take("metrics", "");
  c.plot = flags.take("plot", "");
  c.json = util::parse_bool("--json", flags.take("json", "false"));
  c.limit = util::parse_int("--limit", flags.take("limit", "0"));
  ETA_CHECK(c.epochs >= 1, "--epochs must be at least 1, got ", c.epochs);
  ETA_CHECK(c.batch >= 1, "--batch must be at least 1, got ", c.batch);
  ETA_CHECK(c.warmup >= 0, "--warmup must be non-negative, got ", c.warmup);
  ETA_CHECK(c.limit >= 0, "--limit must be non-negative, got ", c.limit);
  ETA_CHECK(c.workers >= 0, "--workers must be non-negative, got ", c.workers);
  if (!threads.empty()) set_num_threads(static_cast<int>(util::parse_int("--threads", threads)));
  return c;
}

inline void route_rest(const Flags& flags, const std::string& program, RunConfig& c) {
  route_flags(flags.rest(), program, c.optimizer, c.scheduler, c.opt_flags, c.sched_flags);
}

// The optimizer's schedule: optional linear warm-up, then the named scheduler. A scheduler whose
// traits say its length follows the run gets the steps after the warm-up, unless one of its length
// flags is given. Returns null without either. `plateau` tells whether it steps per epoch on a metric.
inline std::unique_ptr<sched::Scheduler> make_schedule(RunConfig& c, optim::Optimizer& optimizer, int64_t total_steps,
                                                       bool& plateau) {
  plateau = false;
  if (!c.scheduler.empty()) {
    const sched::SchedulerTraits traits = sched::scheduler_spec(c.scheduler).traits;
    const auto& lengths = traits.length_flags;
    const bool given = std::any_of(lengths.begin(), lengths.end(), [&](const std::string& f) {
      return std::any_of(c.sched_flags.begin(), c.sched_flags.end(),
                         [&](const auto& kv) { return util::canonical_name(kv.first) == util::canonical_name(f); });
    });
    if (!lengths.empty() && !given)
      c.sched_flags[lengths.front()] = std::to_string(std::max<int64_t>(1, total_steps - c.warmup));
    plateau = traits.on_metric;
  }
  if (c.warmup == 0) return c.scheduler.empty() ? nullptr : sched::make_scheduler(c.scheduler, optimizer, c.sched_flags);
  ETA_CHECK(!plateau, "--warmup cannot be combined with ", c.scheduler, " (it is stepped per epoch on a metric)");
  std::vector<std::unique_ptr<sched::Scheduler>> parts;
  parts.push_back(std::make_unique<sched::LinearLR>(optimizer, 1.0 / static_cast<double>(c.warmup + 1), 1.0, c.warmup));
  if (c.scheduler.empty()) return std::move(parts[0]);
  parts.push_back(sched::make_scheduler(c.scheduler, optimizer, c.sched_flags));
  return std::make_unique<sched::SequentialLR>(optimizer, std::move(parts), std::vector<int64_t>{c.warmup});
}

// Test-set figures: mean loss, and accuracy + confusion (classification) or RMSE, MAE, R² (regression).
struct TaskEvaluation {
  double loss = 0, rmse = 0, mae = 0, r2 = 0;
  train::ConfusionMatrix confusion{1};
  double accuracy() const { return confusion.accuracy(); }
};

inline TaskEvaluation evaluate_task(nn::Module& model, const data::Dataset& set, data::DataLoaderOptions opt, Task task) {
  if (task == Task::Classification) {
    const Evaluation e = evaluate(model, set, opt);
    TaskEvaluation out;
    out.loss = e.loss;
    out.confusion = e.confusion;
    return out;
  }
  opt.shuffle = false;
  opt.drop_last = false;
  opt.batch_size = 1000;
  opt.sampler = nullptr;
  data::DataLoader loader(set, opt);
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  double sq = 0, abs = 0, sum = 0, sumsq = 0;
  int64_t n = 0;
  for (data::Batch b; loader.next(b);) {
    const std::vector<double> p = model.forward(b.input).to_vector(), y = b.target.to_vector();
    ETA_CHECK(p.size() == y.size(), "the model gives ", p.size(), " outputs for ", y.size(), " targets");
    for (size_t i = 0; i < p.size(); ++i) {
      sq += (p[i] - y[i]) * (p[i] - y[i]);
      abs += std::abs(p[i] - y[i]);
      sum += y[i];
      sumsq += y[i] * y[i];
    }
    n += static_cast<int64_t>(y.size());
  }
  model.train(was_training);
  TaskEvaluation out;
  const double count = static_cast<double>(std::max<int64_t>(n, 1));
  out.loss = sq / count;
  out.rmse = std::sqrt(out.loss);
  out.mae = abs / count;
  const double var = sumsq / count - (sum / count) * (sum / count);
  out.r2 = var > 0 ? 1 - out.loss / var : std::nan("");
  return out;
}

// Everything a run needs besides its flags.
struct RunSetup {
  std::string program;     // "train_images", for messages
  std::string model_key;   // what the checkpoint records as the model ("lenet", "mlp", ...)
  std::string data_label;  // "Fashion-MNIST at DIR", for the start-up line
  std::string unit = "images";  // "images" or "examples": the JSON/CSV throughput key
  std::shared_ptr<nn::Module> model;
  const data::Dataset* train = nullptr;
  const data::Dataset* test = nullptr;
  data::DataLoaderOptions loader;  // batch size, seed and workers are set from the flags
  data::TransformList test_transforms;  // the deterministic ones (normalisation), for evaluation
  Task task = Task::Classification;
  std::vector<std::string> class_names;
  std::map<std::string, Tensor> saved_with_model;  // e.g. Standardize's statistics, into checkpoints
};

struct EpochRecord {
  double train_loss, test_loss, test_metric, test_metric2, lr, seconds, per_second;
};

namespace run_detail {

inline std::string metrics_csv(const std::vector<EpochRecord>& rows, Task task, const std::string& unit) {
  std::ostringstream os;
  os.precision(17);
  os << (task == Task::Classification ? "epoch,train_loss,test_loss,test_acc,lr,train_seconds,"
                                      : "epoch,train_loss,test_loss,test_rmse,test_r2,lr,train_seconds,")
     << unit << "_per_second\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    os << i + 1 << ',' << r.train_loss << ',' << r.test_loss << ',' << r.test_metric << ',';
    if (task == Task::Regression) os << r.test_metric2 << ',';
    os << r.lr << ',' << r.seconds << ',' << r.per_second << '\n';
  }
  return os.str();
}

inline Tensor to_tensor(const std::vector<double>& v) { return from_vector(v, {static_cast<int64_t>(v.size())}, kFloat64); }

inline void plot_run(const std::string& path, const RunSetup& s, const std::string& optimizer_name,
                     const std::vector<double>& step_loss, const std::vector<double>& step_lr,
                     const std::vector<EpochRecord>& records, int64_t steps_per_epoch) {
  train::SvgPlot plot;
  auto& losses = plot.add_panel(s.program + ": " + s.model->name() + ", " + optimizer_name, "step",
                                s.task == Task::Classification ? "cross-entropy loss" : "mean squared error");
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
  plot.save(path);
}

}  // namespace run_detail

}  // namespace eta::examples
