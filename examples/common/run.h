// The flags every training program shares (train_mnist, train_images, train_tabular): epochs,
// batch, optimizer and scheduler with their own flags, seed, threads, workers, checkpoints and
// resume, metrics, plot, JSON lines, telemetry, anomaly mode, clipping, early stopping — parsed
// into a RunConfig — and the schedule they describe. Header-only; examples only.
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
    "  --limit       use only the first N training examples (quick runs and tests)\n"
    "  --telemetry   one JSON line per step: step, epoch, loss, lr, grad_norm, update_ratio\n"
    "  --detect_anomaly true: name the first op that makes a NaN/Inf (forward or backward)\n"
    "  --clip_grad_norm X  clip the global gradient norm to X\n"
    "  --early_stop N      stop after N epochs without a lower test loss; keep the best weights\n"
    "  --checkpoint_every N  also save the checkpoint every N steps (mid-epoch resume)\n"
    "  --checkpoint_keep K   keep the last K checkpoints as FILE.step<S>.ext (default 1: FILE itself)\n";

struct RunConfig {
  int64_t epochs = 5, batch = 64, warmup = 0, limit = 0, workers = 0, early_stop = 0, checkpoint_every = 0;
  int64_t checkpoint_keep = 1;
  uint64_t seed = 0;
  double clip_grad_norm = 0;
  std::string optimizer, scheduler, checkpoint, resume, metrics, plot, telemetry;
  bool json = false, detect_anomaly = false;
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
  c.telemetry = flags.take("telemetry", "");
  c.detect_anomaly = util::parse_bool("--detect_anomaly", flags.take("detect_anomaly", "false"));
  c.clip_grad_norm = util::parse_double("--clip_grad_norm", flags.take("clip_grad_norm", "0"));
  c.early_stop = util::parse_int("--early_stop", flags.take("early_stop", "0"));
  c.checkpoint_every = util::parse_int("--checkpoint_every", flags.take("checkpoint_every", "0"));
  c.checkpoint_keep = util::parse_int("--checkpoint_keep", flags.take("checkpoint_keep", "1"));
  ETA_CHECK(c.checkpoint_keep >= 1, "--checkpoint_keep must be at least 1, got ", c.checkpoint_keep);
  ETA_CHECK(c.clip_grad_norm >= 0, "--clip_grad_norm must be non-negative, got ", c.clip_grad_norm);
  ETA_CHECK(c.early_stop >= 0, "--early_stop must be non-negative, got ", c.early_stop);
  ETA_CHECK(c.checkpoint_every >= 0, "--checkpoint_every must be non-negative, got ", c.checkpoint_every);
  ETA_CHECK(c.checkpoint_every == 0 || !c.checkpoint.empty(), "--checkpoint_every needs --checkpoint FILE");
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

}  // namespace eta::examples
