// fit_and_report: the epoch loop of the example training programs — optimizer and schedule from
// the flags, resume from a checkpoint (model, optimizer, scheduler, generator, history), live
// progress, evaluation after every epoch, checkpoints, metrics CSV, JSON lines, plot and the final
// summary. Header-only; examples only.
#pragma once
#include "common/run.h"

namespace eta::examples {

namespace run_detail {

struct History {
  std::vector<double> step_loss, step_lr;
  std::vector<EpochRecord> records;
  int64_t start_epoch = 0;
};

inline train::CheckpointExtras to_checkpoint(const RunConfig& c, const RunSetup& s, const History& h, int64_t epoch) {
  train::CheckpointExtras ex;
  ex.metadata = {{"epoch", std::to_string(epoch)},
                 {"model", s.model_key},
                 {"seed", std::to_string(c.seed)},
                 {"batch", std::to_string(c.batch)},
                 {"train_size", std::to_string(s.train->size())},
                 {"generator", train::generator_state_to_string(default_generator())},
                 {"epoch_record_fields", "7"}};
  std::vector<double> flat;
  for (const auto& r : h.records)
    flat.insert(flat.end(), {r.train_loss, r.test_loss, r.test_metric, r.test_metric2, r.lr, r.seconds, r.per_second});
  ex.tensors = {{"step_loss", to_tensor(h.step_loss)}, {"step_lr", to_tensor(h.step_lr)}, {"epochs", to_tensor(flat)}};
  for (const auto& [k, v] : s.saved_with_model) ex.tensors[k] = v;
  return ex;
}

inline History resume_from(const RunConfig& c, const RunSetup& s, optim::Optimizer& opt, sched::Scheduler* sched) {
  const train::CheckpointExtras ex = train::load_checkpoint(c.resume, *s.model, opt, sched);
  const auto meta = [&](const char* k) {
    ETA_CHECK(ex.metadata.count(k), "--resume: ", c.resume, " has no '", k, "' entry");
    return ex.metadata.at(k);
  };
  ETA_CHECK(meta("model") == s.model_key, "--resume: ", c.resume, " holds a ", meta("model"), " model, but --model is ",
            s.model_key);
  ETA_CHECK(meta("seed") == std::to_string(c.seed), "--resume: ", c.resume, " was trained with --seed ", meta("seed"),
            "; pass the same seed");
  ETA_CHECK(meta("batch") == std::to_string(c.batch) && meta("train_size") == std::to_string(s.train->size()),
            "--resume: ", c.resume, " was trained with batch ", meta("batch"), " on ", meta("train_size"),
            " examples; this run has batch ", c.batch, " on ", s.train->size());
  History h;
  h.start_epoch = util::parse_int("epoch", meta("epoch"));
  train::generator_state_from_string(default_generator(), meta("generator"));
  h.step_loss = ex.tensors.at("step_loss").to_vector();
  h.step_lr = ex.tensors.at("step_lr").to_vector();
  const std::vector<double> flat = ex.tensors.at("epochs").to_vector();
  if (ex.metadata.count("epoch_record_fields")) {
    for (size_t i = 0; i + 7 <= flat.size(); i += 7)
      h.records.push_back({flat[i], flat[i + 1], flat[i + 2], flat[i + 3], flat[i + 4], flat[i + 5], flat[i + 6]});
  } else {  // written by train_mnist before the data layer: six fields, no second test metric
    for (size_t i = 0; i + 6 <= flat.size(); i += 6)
      h.records.push_back({flat[i], flat[i + 1], flat[i + 2], 0.0, flat[i + 3], flat[i + 4], flat[i + 5]});
  }
  return h;
}

inline void print_epoch_json(const EpochRecord& r, int64_t epoch, Task task, const std::string& unit) {
  if (task == Task::Classification)
    std::printf("{\"epoch\": %ld, \"train_loss\": %.17g, \"test_loss\": %.17g, \"test_acc\": %.17g, ",
                static_cast<long>(epoch), r.train_loss, r.test_loss, r.test_metric);
  else
    std::printf("{\"epoch\": %ld, \"train_loss\": %.17g, \"test_loss\": %.17g, \"test_rmse\": %.17g, \"test_r2\": %.17g, ",
                static_cast<long>(epoch), r.train_loss, r.test_loss, r.test_metric, r.test_metric2);
  std::printf("\"lr\": %.17g, \"train_seconds\": %.6f, \"%s_per_second\": %.3f}\n", r.lr, r.seconds, unit.c_str(),
              r.per_second);
  std::fflush(stdout);
}

inline Tensor task_loss(Task task, const Tensor& output, const Tensor& target) {
  return task == Task::Classification ? cross_entropy(output, target) : mse_loss(output, target);
}

}  // namespace run_detail

// Trains s.model on s.train for c.epochs, evaluating on s.test after each; returns the exit status.
inline int fit_and_report(RunConfig& c, RunSetup& s) {
  using namespace run_detail;
  data::DataLoaderOptions lo = s.loader;
  lo.batch_size = c.batch;
  lo.seed = c.seed;
  lo.num_workers = c.workers;
  data::DataLoader loader(*s.train, lo);
  ETA_CHECK(loader.num_batches() > 0, s.program, ": no training batches (", s.train->size(), " examples)");
  data::DataLoaderOptions eval_opt = lo;
  eval_opt.transforms = s.test_transforms;
  const int64_t steps_per_epoch = loader.num_batches();
  auto optimizer = optim::make_optimizer(c.optimizer, s.model->parameters(), c.opt_flags);
  bool plateau = false;
  auto scheduler = make_schedule(c, *optimizer, steps_per_epoch * c.epochs, plateau);
  History h;
  std::FILE* human = c.json ? stderr : stdout;
  if (!c.resume.empty()) {
    h = resume_from(c, s, *optimizer, scheduler.get());
    std::fprintf(human, "resumed %s after epoch %ld\n", c.resume.c_str(), static_cast<long>(h.start_epoch));
  }
  std::fprintf(human, "%s: %s (%ld parameters) on %s: %ld train / %ld test %s, batch %ld, %s lr %s%s%s, %d threads, %s\n",
               s.program.c_str(), s.model->name().c_str(), static_cast<long>(s.model->num_parameters()),
               s.data_label.c_str(), static_cast<long>(s.train->size()), static_cast<long>(s.test->size()), s.unit.c_str(),
               static_cast<long>(c.batch), optimizer->name().c_str(), c.opt_flags["lr"].c_str(),
               scheduler ? ", schedule " : "", scheduler ? scheduler->name().c_str() : "", get_num_threads(),
               blas_info().c_str());

  TaskEvaluation last = evaluate_task(*s.model, *s.test, eval_opt, s.task);
  for (int64_t epoch = h.start_epoch; epoch < c.epochs; ++epoch) {
    loader.set_epoch(epoch);
    train::ProgressBar bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(c.epochs), steps_per_epoch, human);
    double loss_sum = 0;
    int64_t seen = 0;
    for (data::Batch b; loader.next(b);) {
      const double lr = optimizer->param_groups()[0].lr();
      optimizer->zero_grad();
      const Tensor loss = task_loss(s.task, s.model->forward(b.input), b.target);
      const double value = loss.item();
      ETA_CHECK(std::isfinite(value), "the loss became ", value, " at epoch ", epoch + 1, " step ", b.index + 1,
                " (learning rate ", lr, "): training diverged; try a smaller --lr");
      loss.backward();
      optimizer->step();
      if (scheduler && !plateau) scheduler->step();
      h.step_loss.push_back(value);
      h.step_lr.push_back(lr);
      loss_sum += value * static_cast<double>(b.target.size(0));
      seen += b.target.size(0);
      bar.update(b.index + 1, value, lr, seen);
    }
    const double seconds = bar.seconds();
    last = evaluate_task(*s.model, *s.test, eval_opt, s.task);
    if (scheduler && plateau) scheduler->step(last.loss);
    const bool cls = s.task == Task::Classification;
    const EpochRecord rec{loss_sum / static_cast<double>(seen), last.loss, cls ? last.accuracy() : last.rmse,
                          cls ? 0.0 : last.r2, h.step_lr.back(), seconds, static_cast<double>(seen) / seconds};
    h.records.push_back(rec);
    char line[256];
    if (cls)
      std::snprintf(line, sizeof line, "train_loss %.4f test_loss %.4f test_acc %.4f lr %.3g %.1fs %.0f %s/s",
                    rec.train_loss, rec.test_loss, rec.test_metric, rec.lr, rec.seconds, rec.per_second, s.unit.c_str());
    else
      std::snprintf(line, sizeof line, "train_mse %.4g test_rmse %.4g test_r2 %.4f lr %.3g %.1fs %.0f %s/s",
                    rec.train_loss, rec.test_metric, rec.test_metric2, rec.lr, rec.seconds, rec.per_second, s.unit.c_str());
    bar.finish(line);
    if (c.json) print_epoch_json(rec, epoch + 1, s.task, s.unit);
    if (!c.checkpoint.empty())
      train::save_checkpoint(c.checkpoint, *s.model, *optimizer, scheduler.get(), to_checkpoint(c, s, h, epoch + 1));
    if (!c.metrics.empty()) train::write_file_atomically(c.metrics, metrics_csv(h.records, s.task, s.unit));
  }
  if (!c.plot.empty()) plot_run(c.plot, s, optimizer->name(), h.step_loss, h.step_lr, h.records, steps_per_epoch);

  if (s.task == Task::Classification) {
    std::fprintf(human, "\ntest accuracy %.4f (%ld %s), test loss %.4f\n", last.accuracy(),
                 static_cast<long>(last.confusion.total()), s.unit.c_str(), last.loss);
    std::fprintf(human, "confusion matrix (rows: true class, columns: predicted):\n%s",
                 last.confusion.to_string(s.class_names).c_str());
  } else {
    std::fprintf(human, "\ntest RMSE %.6g, MAE %.6g, R^2 %.4f (%ld %s)\n", last.rmse, last.mae, last.r2,
                 static_cast<long>(s.test->size()), s.unit.c_str());
  }
  return 0;
}

}  // namespace eta::examples
