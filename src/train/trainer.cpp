// The Trainer's step loop (accumulation, guards' veto, scheduler stepping), the epoch's end
// (validation, metric-driven schedules, history) and exact save/resume of all of it.
#include "eta/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "train/number_text.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/loss.h"
#include "eta/tensor/factory.h"
#include "eta/train/checkpoint.h"
#include "train/history_text.h"

namespace eta::train {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}


}  // namespace

Trainer::Trainer(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& train, TrainerOptions options)
    : model_(&model), optimizer_(&optimizer), train_(&train), options_(std::move(options)) {
  ETA_CHECK(options_.epochs >= 1, "Trainer: epochs is ", options_.epochs, ", must be at least 1");
  ETA_CHECK(options_.accumulate >= 1, "Trainer: accumulate is ", options_.accumulate, ", must be at least 1");
  ETA_CHECK(options_.eval_batch_size >= 1, "Trainer: eval_batch_size is ", options_.eval_batch_size, ", must be >= 1");
  ETA_CHECK(options_.top_k >= 0, "Trainer: top_k is ", options_.top_k, ", must be 0 (off) or more");
  if (options_.task == Task::Classification)
    loss_ = [](const Tensor& out, const Tensor& target) { return cross_entropy(out, target); };
  else
    loss_ = [](const Tensor& out, const Tensor& target) { return mse_loss(out, target); };
}

Trainer& Trainer::set_loss(LossFn loss) {
  ETA_CHECK(loss != nullptr, "Trainer::set_loss: the loss function is empty");
  loss_ = std::move(loss);
  return *this;
}

Trainer& Trainer::set_scheduler(sched::Scheduler* scheduler, SchedulerStep when) {
  scheduler_ = scheduler;
  scheduler_step_ = when;
  return *this;
}

Trainer& Trainer::set_validation(const data::Dataset* validation, data::TransformList transforms, std::string prefix) {
  validation_ = validation;
  validation_transforms_ = std::move(transforms);
  validation_prefix_ = std::move(prefix);
  return *this;
}

Trainer& Trainer::add(std::shared_ptr<Callback> callback) {
  ETA_CHECK(callback != nullptr, "Trainer::add: the callback is null");
  for (const auto& c : callbacks_)
    ETA_CHECK(c->name() != callback->name(), "Trainer::add: a callback named '", callback->name(),
              "' is already added (names key their checkpoint state)");
  callbacks_.push_back(std::move(callback));
  return *this;
}

Trainer& Trainer::set_data_parallel(DataParallel* replicas) {
  replicas_ = replicas;
  return *this;
}

template <class F>
void Trainer::each_callback(const F& f) {
  for (auto& c : callbacks_)
    if (is_main_process() || !c->main_process_only()) f(*c);
}

Trainer& Trainer::set_checkpoint_extras(CheckpointExtras extras) {
  for (const auto& [k, v] : extras.metadata)
    ETA_CHECK(k.rfind("trainer.", 0) != 0 && k.rfind("callback.", 0) != 0, "Trainer::set_checkpoint_extras: '", k,
              "' is a reserved name (trainer.* and callback.* are the Trainer's own)");
  for (const auto& [k, v] : extras.tensors)
    ETA_CHECK(k.rfind("callback.", 0) != 0, "Trainer::set_checkpoint_extras: '", k, "' is a reserved name");
  checkpoint_extras_ = std::move(extras);
  return *this;
}

void Trainer::stop(const std::string& reason) {
  if (!stop_requested_) stop_reason_ = reason;
  stop_requested_ = true;
}

Evaluation Trainer::evaluate(const data::Dataset& set, const data::TransformList& transforms) const {
  return train::evaluate(*model_, set, options_.task, transforms, options_.eval_batch_size, options_.top_k, replicas_);
}

std::vector<EpochInfo> Trainer::fit() {
  stop_requested_ = false;
  stop_reason_.clear();
  if (replicas_) {
    const auto& o = train_->options();
    ETA_CHECK(o.rank == replicas_->rank() && o.world_size == replicas_->world_size(), "Trainer: the loader takes slice ",
              o.rank, " of ", o.world_size, " but this process is rank ", replicas_->rank(), " of ",
              replicas_->world_size(), " (set DataLoaderOptions::rank and world_size)");
  }
  each_callback([&](Callback& c) { c.on_train_begin(*this); });
  std::vector<EpochInfo> done;
  while (epoch_ < options_.epochs && !stop_requested_) {
    EpochInfo info = run_epoch();
    if (info.examples == 0 && stop_requested_) break;  // stopped before this epoch's first step
    done.push_back(info);
  }
  each_callback([&](Callback& c) { c.on_train_end(*this); });
  return done;
}

void Trainer::check_finite(double loss, int64_t batch_index) const {
  const auto& groups = optimizer_->param_groups();
  ETA_CHECK(std::isfinite(loss), "the loss became ", loss, " at epoch ", epoch_ + 1, " step ", step_ + 1, " (batch ",
            batch_index + 1, ", learning rate ", groups.empty() ? 0.0 : groups[0].lr(),
            "): training diverged; try a smaller learning rate");
}

EpochInfo Trainer::run_epoch() {
  // A resumed run continues the saved epoch at its saved batch; otherwise the epoch starts afresh.
  const bool resuming = train_->epoch() == epoch_ && train_->position() > 0;
  if (!resuming) {
    train_->set_epoch(epoch_);
    epoch_loss_sum_ = epoch_seconds_ = 0;
    epoch_examples_ = epoch_steps_ = epoch_skipped_ = 0;
    each_callback([&](Callback& c) { c.on_epoch_begin(*this, epoch_); });
  }
  model_->train();
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t batches = train_->num_batches(), B = train_->options().batch_size;
  const int64_t samples = train_->num_samples();
  const int64_t A = options_.accumulate;
  StepInfo info;
  int64_t in_group = 0, group_examples = 0;
  for (data::Batch b; !stop_requested_ && train_->next(b);) {
    if (in_group == 0) {
      optimizer_->zero_grad();
      info = StepInfo{};
      info.epoch = epoch_;
      info.step = step_;
      for (const auto& g : optimizer_->param_groups()) info.lrs.push_back(g.lr());
      // Examples in this group of batches (over all processes): each batch's loss is weighted by
      // its share, so accumulated gradients equal those of one large batch, uneven last one too.
      group_examples = 0;
      for (int64_t j = b.index; j < std::min(b.index + A, batches); ++j) group_examples += std::min(B, samples - j * B);
    }
    const int64_t n = b.target.size(0);
    info.batch_index = b.index;
    if (n > 0) {  // a rank's slice of a short last batch may be empty
      const Tensor loss = loss_(model_->forward(b.input), b.target);
      const double value = loss.item();
      // With replicas the check waits for the reduced loss, so that all ranks stop together.
      if (!replicas_) check_finite(value, b.index);
      const double share = static_cast<double>(n) / static_cast<double>(group_examples);
      (share == 1.0 ? loss : mul(loss, share)).backward();
      info.loss += value * static_cast<double>(n);
      info.examples += n;
    }
    if (++in_group == A || b.index + 1 == batches) {
      if (replicas_) {
        replicas_->sum_gradients();
        std::vector<double> sums{info.loss, static_cast<double>(info.examples)};
        replicas_->all_reduce(sums);
        info.loss = sums[0];
        info.examples = static_cast<int64_t>(sums[1]);
      }
      info.loss /= static_cast<double>(std::max<int64_t>(info.examples, 1));
      if (replicas_) check_finite(info.loss, b.index);
      take_step(info);
      in_group = 0;
    }
  }
  epoch_seconds_ += seconds_since(t0);
  EpochInfo out;
  if (train_->position() < batches) return out;  // stopped mid-epoch: the epoch is not finished
  finish_epoch(out);
  return out;
}

void Trainer::take_step(StepInfo& info) {
  each_callback([&](Callback& c) { c.on_before_step(*this, info); });
  if (info.skip) {
    optimizer_->zero_grad();
    ++epoch_skipped_;
  } else {
    optimizer_->step();
    ++step_;
    if (scheduler_ && scheduler_step_ == SchedulerStep::PerBatch) scheduler_->step();
  }
  ++epoch_steps_;
  epoch_loss_sum_ += info.loss * static_cast<double>(info.examples);
  epoch_examples_ += info.examples;
  each_callback([&](Callback& c) { c.on_step_end(*this, info); });
}

void Trainer::finish_epoch(EpochInfo& info) {
  info.epoch = epoch_;
  info.examples = epoch_examples_;
  info.steps = epoch_steps_;
  info.skipped_steps = epoch_skipped_;
  info.train_loss = epoch_loss_sum_ / static_cast<double>(std::max<int64_t>(epoch_examples_, 1));
  info.seconds = epoch_seconds_;
  if (validation_) {
    info.validation = evaluate(*validation_, validation_transforms_);
    info.has_validation = true;
    info.metrics = info.validation.metrics(validation_prefix_);
    info.metric_prefix = validation_prefix_;
  }
  if (scheduler_ && scheduler_step_ == SchedulerStep::PerEpoch) scheduler_->step();
  if (scheduler_ && scheduler_step_ == SchedulerStep::OnMetric) {
    const auto it = info.metrics.find(options_.scheduler_metric);
    ETA_CHECK(it != info.metrics.end(), "Trainer: the scheduler steps on '", options_.scheduler_metric,
              "', which this epoch did not measure (set a validation set, or another scheduler_metric)");
    scheduler_->step(it->second);
  }
  info.lr = optimizer_->param_groups().empty() ? 0.0 : optimizer_->param_groups()[0].lr();
  history_.push_back(info);
  ++epoch_;
  each_callback([&](Callback& c) { c.on_epoch_end(*this, info); });
}

// ---- checkpoints ----

// The saved random stream of this rank; a run resumed at another world size than it was saved at
// continues from the global data cursor (with a warning: its random streams cannot all continue).
std::string Trainer::generator_of_this_rank(const CheckpointExtras& ex, const std::string& path) const {
  const auto saved_world = ex.metadata.find("trainer.world_size");
  const int64_t saved = saved_world == ex.metadata.end() ? 1 : std::stoll(saved_world->second);
  const int64_t world = replicas_ ? replicas_->world_size() : 1, rank = replicas_ ? replicas_->rank() : 0;
  if (saved != world && is_main_process())
    std::fprintf(stderr, "warning: %s was saved by %ld processes and resumes on %ld: the data order continues from "
                 "the saved global batch, but the run will not repeat the uninterrupted one bit for bit\n",
                 path.c_str(), static_cast<long>(saved), static_cast<long>(world));
  if (saved == world && rank > 0) {
    const auto it = ex.metadata.find("trainer.generator.rank" + std::to_string(rank));
    ETA_CHECK(it != ex.metadata.end(), "Trainer::load_checkpoint: ", path, " has no random stream for rank ", rank);
    return it->second;
  }
  const auto it = ex.metadata.find("trainer.generator");
  ETA_CHECK(it != ex.metadata.end(), "Trainer::load_checkpoint: ", path,
            " has no 'trainer.generator' entry (not a Trainer checkpoint?)");
  return it->second;
}

void Trainer::save_checkpoint(const std::string& path) const {
  CheckpointExtras ex = checkpoint_extras_;
  ex.metadata["trainer.epoch"] = std::to_string(epoch_);
  ex.metadata["trainer.step"] = std::to_string(step_);
  ex.metadata["trainer.loader"] = train_->state().to_string();
  ex.metadata["trainer.generator"] = generator_state_to_string(default_generator());
  ex.metadata["trainer.epoch_sums"] = text::exact(epoch_loss_sum_) + " " + text::exact(epoch_seconds_) + " " +
                                      std::to_string(epoch_examples_) + " " + std::to_string(epoch_steps_) + " " +
                                      std::to_string(epoch_skipped_);
  ex.metadata["trainer.history"] = history_to_text(history_);
  for (const auto& c : callbacks_) {
    for (const auto& [k, v] : c->state()) ex.metadata["callback." + c->name() + "." + k] = v;
    for (const auto& [k, t] : c->state_tensors()) ex.tensors["callback." + c->name() + "." + k] = t;
  }
  if (!replicas_) return train::save_checkpoint(path, *model_, *optimizer_, scheduler_, ex);
  // Every rank's random stream (dropout) is saved; rank 0 writes, then all learn whether it worked.
  const std::vector<std::string> streams = replicas_->all_gather(ex.metadata["trainer.generator"]);
  ex.metadata["trainer.world_size"] = std::to_string(replicas_->world_size());
  for (size_t r = 1; r < streams.size(); ++r) ex.metadata["trainer.generator.rank" + std::to_string(r)] = streams[r];
  std::string error;
  if (replicas_->is_main()) {
    try {
      train::save_checkpoint(path, *model_, *optimizer_, scheduler_, ex);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  if (!replicas_->all_ok(error.empty()))
    detail::throw_error(error.empty() ? "Trainer::save_checkpoint: rank 0 could not write " + path : error);
}

CheckpointExtras Trainer::load_checkpoint(const std::string& path,
                                          const std::function<void(const CheckpointExtras&)>& check) {
  if (replicas_) {
    // Every rank reads the file; all go on only if all could (a missing file is a rank-local fact).
    std::string error;
    try {
      const CheckpointExtras saved = read_checkpoint_extras(path);
      if (check) check(saved);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!replicas_->all_ok(error.empty()))
      detail::throw_error(error.empty() ? "Trainer::load_checkpoint: another rank could not read " + path : error);
  } else if (check) {
    check(read_checkpoint_extras(path));
  }
  CheckpointExtras ex = train::load_checkpoint(path, *model_, *optimizer_, scheduler_);
  const auto meta = [&](const std::string& k) {
    const auto it = ex.metadata.find(k);
    ETA_CHECK(it != ex.metadata.end(), "Trainer::load_checkpoint: ", path, " has no '", k,
              "' entry (not a Trainer checkpoint?)");
    return it->second;
  };
  const int64_t epoch = std::stoll(meta("trainer.epoch")), step = std::stoll(meta("trainer.step"));
  const data::DataLoaderState loader = data::DataLoaderState::parse(meta("trainer.loader"));
  std::istringstream sums(meta("trainer.epoch_sums"));
  double loss_sum = 0, seconds = 0;
  int64_t examples = 0, steps = 0, skipped = 0;
  ETA_CHECK(static_cast<bool>(sums >> loss_sum >> seconds >> examples >> steps >> skipped),
            "Trainer::load_checkpoint: ", path, ": unreadable trainer.epoch_sums '", meta("trainer.epoch_sums"), "'");
  std::vector<EpochInfo> history = history_from_text(meta("trainer.history"));
  train_->load_state(loader);
  generator_state_from_string(default_generator(), generator_of_this_rank(ex, path));
  epoch_ = epoch;
  step_ = step;
  epoch_loss_sum_ = loss_sum;
  epoch_seconds_ = seconds;
  epoch_examples_ = examples;
  epoch_steps_ = steps;
  epoch_skipped_ = skipped;
  history_ = std::move(history);
  CheckpointExtras user;
  for (const auto& c : callbacks_) {
    const std::string prefix = "callback." + c->name() + ".";
    std::map<std::string, std::string> state;
    std::map<std::string, Tensor> tensors;
    for (const auto& [k, v] : ex.metadata)
      if (k.rfind(prefix, 0) == 0) state[k.substr(prefix.size())] = v;
    for (const auto& [k, t] : ex.tensors)
      if (k.rfind(prefix, 0) == 0) tensors[k.substr(prefix.size())] = t;
    // A callback the saved run did not have starts fresh.
    if (!state.empty() || !tensors.empty()) c->load_state(state, tensors);
  }
  for (const auto& [k, t] : ex.tensors)
    if (k.rfind("callback.", 0) != 0) user.tensors[k] = t;
  for (const auto& [k, v] : ex.metadata)
    if (k.rfind("callback.", 0) != 0 && k.rfind("trainer.", 0) != 0 && k.rfind("eta.", 0) != 0) user.metadata[k] = v;
  return user;
}

}  // namespace eta::train
