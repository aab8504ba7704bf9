// The Trainer: equal to a hand-written loop bit for bit; gradient accumulation equals one large
// batch; a mid-epoch checkpoint resumes exactly (parameters, history, telemetry, metrics); early
// stopping restores the best weights; outlier steps leave parameters untouched; telemetry equals
// independently computed norms; a throwing callback leaves no half-written file; a non-finite
// loss names epoch, step and learning rate.
#include "eta/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "eta/eta.h"
#include "eta/sched/step_lr.h"
#include "io/test_files.h"
#include "support/errors.h"
#include "support/run_program.h"

namespace eta::train {
namespace {

using eta::testing::error_of;
using eta::testing::slurp;
using eta::testing::TempDir;

// A learnable 3-class problem: the class is the largest of the first three of 6 features.
std::shared_ptr<data::TensorDataset> toy_set(int64_t n, uint64_t seed, DType dtype = kFloat32) {
  Generator gen(seed);
  const Tensor x = randn({n, 6}, dtype, gen);
  std::vector<int64_t> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    for (int64_t k = 1; k < 3; ++k)
      if (x.at({i, k}) > x.at({i, best})) best = k;
    y[static_cast<size_t>(i)] = best;
  }
  return std::make_shared<data::TensorDataset>(x, from_vector(y, {n}), 3);
}

std::shared_ptr<nn::Sequential> make_model(uint64_t seed, DType dtype = kFloat32, double dropout = 0) {
  Generator gen(seed);
  auto m = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(6, 16, true, gen), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(dropout, default_generator()), std::make_shared<nn::Linear>(16, 3, true, gen)});
  if (dtype == kFloat64) m->to(kFloat64);
  return m;
}

bool same_params(nn::Module& a, nn::Module& b) {
  const auto pa = a.state_dict(), pb = b.state_dict();
  for (const auto& [k, t] : pa) {
    const Tensor& u = pb.at(k);
    if (t.numel() != u.numel() ||
        std::memcmp(t.contiguous().raw_data(), u.contiguous().raw_data(), static_cast<size_t>(t.numel()) * dtype_size(t.dtype())))
      return false;
  }
  return true;
}

TEST(Trainer, EqualsAHandWrittenLoopBitForBit) {
  const auto train = toy_set(200, 1);
  auto a = make_model(7), b = make_model(7);
  optim::SGD opt_a(a->parameters(), {.lr = 0.1, .momentum = 0.9});
  optim::SGD opt_b(b->parameters(), {.lr = 0.1, .momentum = 0.9});
  sched::StepLR sched_a(opt_a, 5, 0.5), sched_b(opt_b, 5, 0.5);
  data::DataLoader loader_a(*train, {.batch_size = 32, .seed = 3}), loader_b(*train, {.batch_size = 32, .seed = 3});
  Trainer trainer(*a, opt_a, loader_a, {.epochs = 3});
  trainer.set_scheduler(&sched_a);
  const auto epochs = trainer.fit();
  ASSERT_EQ(epochs.size(), 3u);
  for (int64_t e = 0; e < 3; ++e) {
    loader_b.set_epoch(e);
    for (data::Batch batch; loader_b.next(batch);) {
      opt_b.zero_grad();
      cross_entropy(b->forward(batch.input), batch.target).backward();
      opt_b.step();
      sched_b.step();
    }
  }
  EXPECT_TRUE(same_params(*a, *b));
  EXPECT_EQ(trainer.step(), 21);  // 7 batches x 3 epochs
  EXPECT_LT(epochs[2].train_loss, epochs[0].train_loss);
}

TEST(Trainer, AccumulationEqualsOneLargeBatch) {
  const auto train = toy_set(50, 2, kFloat64);  // 50 = 16 + 16 + 16 + 2: uneven last group
  auto a = make_model(3, kFloat64), b = make_model(3, kFloat64);
  optim::SGD opt_a(a->parameters(), {.lr = 0.2}), opt_b(b->parameters(), {.lr = 0.2});
  data::DataLoader small(*train, {.batch_size = 8, .shuffle = false});
  data::DataLoader large(*train, {.batch_size = 16, .shuffle = false});
  Trainer ta(*a, opt_a, small, {.epochs = 2, .accumulate = 2});
  Trainer tb(*b, opt_b, large, {.epochs = 2});
  ta.fit();
  tb.fit();
  EXPECT_EQ(ta.step(), tb.step());
  const auto sa = a->state_dict(), sb = b->state_dict();
  for (const auto& [k, t] : sa) {
    const auto x = t.to_vector(), y = sb.at(k).to_vector();
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-12 * (1 + std::abs(y[i]))) << k;
  }
}

// Everything a run produces, for comparing a straight run with a resumed one.
struct RunFiles {
  std::string telemetry, metrics_json, metrics_csv, plot;
};

// A metrics JSON-lines text with the wall-clock fields blanked (they differ between runs).
std::string without_timings(const std::string& text) {
  // Built by appending (std::regex and string::replace both trip GCC 12 false warnings).
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t at = std::string::npos, len = 0;
    for (const char* key : {"\"train_seconds\": ", "\"examples_per_second\": "}) {
      const size_t k = text.find(key, pos);
      if (k < at) at = k, len = std::strlen(key);
    }
    if (at == std::string::npos) break;
    out.append(text, pos, at + len - pos).append("_");
    pos = text.find_first_of(",}", at + len);
  }
  return out.append(text, pos, std::string::npos);
}

TEST(Trainer, MidEpochCheckpointResumesExactly) {
  TempDir dir;
  const auto train = toy_set(120, 4), valid = toy_set(40, 5);
  const auto run = [&](const std::string& tag, const std::string& resume_from, nn::Module& model, int64_t epochs) {
    optim::Adam opt(model.parameters(), {.lr = 1e-2});
    sched::StepLR sched(opt, 4, 0.7);
    data::DataLoader loader(*train, {.batch_size = 16, .seed = 9, .transforms = {}});
    Trainer t(model, opt, loader, {.epochs = epochs});
    t.set_scheduler(&sched).set_validation(valid.get());
    t.add(std::make_shared<Telemetry>(dir.file(tag + ".jsonl")));
    t.add(std::make_shared<MetricsLogger>(dir.file(tag + ".csv"), dir.file(tag + "_metrics.jsonl")));
    t.add(std::make_shared<PlotCallback>(dir.file(tag + ".svg")));
    t.add(std::make_shared<OutlierGuard>());
    t.add(std::make_shared<Checkpointer>(dir.file(tag + ".safetensors"),
                                         CheckpointerOptions{.every_steps = 5, .every_epochs = 0, .keep_last = 2}));
    if (!resume_from.empty()) t.load_checkpoint(resume_from);
    t.fit();
    return RunFiles{slurp(dir.file(tag + ".jsonl")), slurp(dir.file(tag + "_metrics.jsonl")), slurp(dir.file(tag + ".csv")),
                    slurp(dir.file(tag + ".svg"))};
  };
  manual_seed(11);
  auto straight_model = make_model(5, kFloat32, 0.2);  // dropout: the generator must resume too
  const RunFiles straight = run("straight", "", *straight_model, 3);
  // First run stopped after 2 epochs; its step-10 checkpoint is mid-epoch 2 (8 steps per epoch).
  manual_seed(11);
  auto first_model = make_model(5, kFloat32, 0.2);
  run("resumed", "", *first_model, 2);
  ASSERT_TRUE(std::filesystem::exists(dir.file("resumed.step10.safetensors")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("resumed.step5.safetensors")));  // keep_last 2: steps 10 and 15
  manual_seed(999);  // the checkpoint's generator state must win
  auto resumed_model = make_model(6, kFloat32, 0.2);
  const RunFiles resumed = run("resumed", dir.file("resumed.step10.safetensors"), *resumed_model, 3);
  EXPECT_TRUE(same_params(*straight_model, *resumed_model));
  EXPECT_EQ(straight.telemetry, resumed.telemetry);
  EXPECT_EQ(without_timings(straight.metrics_json), without_timings(resumed.metrics_json));
  EXPECT_EQ(std::count(straight.metrics_csv.begin(), straight.metrics_csv.end(), '\n'), 4);  // header + 3 epochs
  EXPECT_EQ(std::count(straight.telemetry.begin(), straight.telemetry.end(), '\n'), 24);
  EXPECT_NE(straight.metrics_json.find("\"val_confusion\": [["), std::string::npos);
}

// Records the model's weights after every epoch.
struct Snapshots : Callback {
  std::vector<std::map<std::string, Tensor>> weights;
  std::string name() const override { return "snapshots"; }
  void on_epoch_end(Trainer& t, const EpochInfo&) override {
    std::map<std::string, Tensor> w;
    for (const auto& [k, v] : t.model().state_dict()) w[k] = v.clone();
    weights.push_back(w);
  }
};

TEST(Trainer, EarlyStoppingStopsAndRestoresTheBestWeights) {
  // Validation labels are the training labels shifted by one: learning the training set makes
  // the validation loss worse, so the best epoch is an early one.
  const auto train = toy_set(150, 6);
  std::vector<int64_t> shifted = train->targets().to_int_vector();
  for (auto& y : shifted) y = (y + 1) % 3;
  const data::TensorDataset valid(train->inputs(), from_vector(shifted, {150}), 3);
  auto model = make_model(2);
  optim::Adam opt(model->parameters(), {.lr = 1e-2});
  data::DataLoader loader(*train, {.batch_size = 25, .seed = 1});
  Trainer t(*model, opt, loader, {.epochs = 30});
  auto snaps = std::make_shared<Snapshots>();
  auto early = std::make_shared<EarlyStopping>(EarlyStoppingOptions{.patience = 2});
  t.set_validation(&valid).add(snaps).add(early);
  const auto done = t.fit();
  ASSERT_LT(done.size(), 30u);
  EXPECT_EQ(static_cast<int64_t>(done.size()), early->best_epoch() + 3);
  EXPECT_NE(t.stop_reason().find("val_loss did not improve for 2 epochs"), std::string::npos) << t.stop_reason();
  const auto& best = snaps->weights[static_cast<size_t>(early->best_epoch())];
  for (const auto& [k, v] : model->state_dict()) EXPECT_EQ(v.to_vector(), best.at(k).to_vector()) << k;
}

// Remembers the parameters before each step and whether they changed.
struct ChangeWatch : Callback {
  std::vector<Tensor> before;
  std::vector<std::pair<bool, bool>> skipped_and_changed;
  std::string name() const override { return "watch"; }
  void on_before_step(Trainer& t, StepInfo&) override {
    before.clear();
    for (const Tensor& p : t.model().parameters()) before.push_back(p.detach().clone());
  }
  void on_step_end(Trainer& t, const StepInfo& s) override {
    bool changed = false;
    const auto ps = t.model().parameters();
    for (size_t i = 0; i < ps.size(); ++i) changed = changed || ps[i].to_vector() != before[i].to_vector();
    skipped_and_changed.emplace_back(s.skip, changed);
  }
};

TEST(Trainer, OutlierStepsAreSkippedAndLeaveParametersUntouched) {
  // Regression on y = sum(x); batch 13 of 20 (examples 24..25) has targets 1e4 times too large.
  Generator gen(3);
  const Tensor x = randn({40, 4}, kFloat32, gen);
  std::vector<float> y(40);
  for (int64_t i = 0; i < 40; ++i) {
    float s = 0;
    for (int64_t k = 0; k < 4; ++k) s += static_cast<float>(x.at({i, k}));
    y[static_cast<size_t>(i)] = i == 24 || i == 25 ? s * 1e4f : s;
  }
  const data::TensorDataset set(x, from_vector(y, {40, 1}));
  nn::Sequential model{std::make_shared<nn::Linear>(4, 1)};
  optim::SGD opt(model.parameters(), {.lr = 0.01});
  data::DataLoader loader(set, {.batch_size = 2, .shuffle = false});
  Trainer t(model, opt, loader, {.epochs = 1, .task = Task::Regression});
  auto guard = std::make_shared<OutlierGuard>(OutlierGuardOptions{.window = 20, .min_steps = 10, .z = 10});
  auto watch = std::make_shared<ChangeWatch>();
  t.add(guard).add(watch);
  t.fit();
  EXPECT_EQ(guard->skipped(), 1);
  ASSERT_EQ(watch->skipped_and_changed.size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(watch->skipped_and_changed[i].first, i == 12) << i;
    EXPECT_EQ(watch->skipped_and_changed[i].second, i != 12) << i;
  }
  EXPECT_EQ(t.step(), 19);
  EXPECT_EQ(t.history()[0].skipped_steps, 1);
}

TEST(Trainer, TelemetryEqualsIndependentlyComputedNorms) {
  TempDir dir;
  const auto train = toy_set(8, 8, kFloat64);
  auto model = make_model(4, kFloat64);
  auto copy = make_model(4, kFloat64);
  optim::SGD opt(model->parameters(), {.lr = 0.5});
  data::DataLoader loader(*train, {.batch_size = 8, .shuffle = false});
  Trainer t(*model, opt, loader, {.epochs = 1});
  t.add(std::make_shared<Telemetry>(dir.file("t.jsonl")));
  t.fit();
  // The same step by hand: gradient norm and ||delta|| / ||theta||.
  cross_entropy(copy->forward(train->inputs()), train->targets()).backward();
  double g2 = 0, d2 = 0, w2 = 0, first_ratio = 0;
  const auto after = model->parameters();
  const auto before = copy->parameters();
  for (size_t i = 0; i < before.size(); ++i) {
    const auto g = before[i].grad().to_vector(), w = before[i].to_vector(), a = after[i].to_vector();
    double pd = 0, pw = 0;
    for (size_t k = 0; k < g.size(); ++k) {
      g2 += g[k] * g[k];
      pd += (a[k] - w[k]) * (a[k] - w[k]);
      pw += w[k] * w[k];
    }
    d2 += pd, w2 += pw;
    if (i == 0) first_ratio = std::sqrt(pd) / std::sqrt(pw);
  }
  const std::string line = slurp(dir.file("t.jsonl"));
  const auto field = [&](const std::string& key) {
    const size_t at = line.find("\"" + key + "\": ");
    EXPECT_NE(at, std::string::npos) << key << " in " << line;
    return std::stod(line.substr(at + key.size() + 4));
  };
  EXPECT_NEAR(field("grad_norm"), std::sqrt(g2), 1e-8 * std::sqrt(g2));
  EXPECT_NEAR(field("update_ratio"), std::sqrt(d2 / w2), 1e-8 * std::sqrt(d2 / w2));
  EXPECT_NEAR(field("0.weight"), first_ratio, 1e-8 * first_ratio);
  EXPECT_EQ(field("step"), 1);
  EXPECT_EQ(field("skipped_total"), 0);
  EXPECT_NE(line.find("\"lr\": [0.5]"), std::string::npos) << line;
}

struct ThrowAtEpoch : Callback {
  int64_t at;
  explicit ThrowAtEpoch(int64_t e) : at(e) {}
  std::string name() const override { return "thrower"; }
  void on_epoch_end(Trainer&, const EpochInfo& e) override {
    if (e.epoch == at) throw Error("thrower: stop here");
  }
};

TEST(Trainer, AThrowingCallbackLeavesNoHalfWrittenFile) {
  TempDir dir;
  const auto train = toy_set(64, 9);
  auto model = make_model(1);
  optim::Adam opt(model->parameters());
  data::DataLoader loader(*train, {.batch_size = 16});
  Trainer t(*model, opt, loader, {.epochs = 4});
  t.add(std::make_shared<MetricsLogger>(dir.file("m.csv"), dir.file("m.jsonl")));
  t.add(std::make_shared<Checkpointer>(dir.file("ck.safetensors")));
  t.add(std::make_shared<ThrowAtEpoch>(1));
  EXPECT_NE(error_of([&] { t.fit(); }).find("thrower: stop here"), std::string::npos);
  const std::string csv = slurp(dir.file("m.csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + epochs 1 and 2, whole
  auto entries = dir.entries();
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"ck.safetensors", "m.csv", "m.jsonl"}));  // no temporaries
}

TEST(Trainer, NonFiniteLossNamesEpochStepAndLearningRate) {
  const auto train = toy_set(64, 10);
  auto model = make_model(1);
  optim::SGD opt(model->parameters(), {.lr = 1e10});
  data::DataLoader loader(*train, {.batch_size = 8});
  Trainer t(*model, opt, loader, {.epochs = 2});
  const std::string msg = error_of([&] { t.fit(); });
  EXPECT_NE(msg.find("the loss became"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at epoch 1 step "), std::string::npos) << msg;
  EXPECT_NE(msg.find("learning rate 1e+10"), std::string::npos) << msg;
}

TEST(Trainer, GradientClippingBoundsTheNorm) {
  struct NormAfter : Callback {
    double norm = 0;
    std::string name() const override { return "norm_after"; }
    void on_before_step(Trainer& t, StepInfo&) override { norm = grad_norm(t.model().parameters()); }
  };
  const auto train = toy_set(32, 11);
  auto model = make_model(1);
  optim::SGD opt(model->parameters(), {.lr = 0.1});
  data::DataLoader loader(*train, {.batch_size = 32});
  Trainer t(*model, opt, loader, {.epochs = 1});
  auto after = std::make_shared<NormAfter>();
  t.add(std::make_shared<GradientClipping>(GradientClippingOptions{.max_norm = 1e-3})).add(after);
  t.fit();
  EXPECT_LE(after->norm, 1e-3 * (1 + 1e-5));
  EXPECT_GT(after->norm, 0.9e-3);
}

TEST(Trainer, ProgressInAPipeIsOneLinePerEpoch) {
  const auto train = toy_set(64, 12), valid = toy_set(32, 13);
  auto model = make_model(1);
  optim::Adam opt(model->parameters());
  data::DataLoader loader(*train, {.batch_size = 16});
  std::FILE* out = std::tmpfile();
  Trainer t(*model, opt, loader, {.epochs = 3});
  t.set_validation(valid.get()).add(std::make_shared<ProgressCallback>(out, /*interactive=*/0));
  t.fit();
  std::rewind(out);
  std::string text;
  for (int c; (c = std::fgetc(out)) != EOF;) text += static_cast<char>(c);
  std::fclose(out);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  EXPECT_NE(text.find("epoch 3/3"), std::string::npos) << text;
  EXPECT_NE(text.find("val_acc"), std::string::npos) << text;
}

TEST(Anomaly, NamesTheOpForLogOfZeroAndForAHugeLearningRate) {
  Tensor x = from_vector(std::vector<float>{1, 0, 2}, {3}).requires_grad_();
  {
    autograd::DetectAnomalyGuard anomaly;
    const std::string msg = error_of([&] { log(x); });
    EXPECT_NE(msg.find("op 'log' produced Inf"), std::string::npos) << msg;
    // Backward: sqrt(0)'s gradient is infinite.
    Tensor z = from_vector(std::vector<float>{0, 4}, {2}).requires_grad_();
    const Tensor s = sqrt(z).sum();
    const std::string back = error_of([&] { s.backward(); });
    EXPECT_NE(back.find("backward of op 'sqrt'"), std::string::npos) << back;
  }
  EXPECT_FALSE(autograd::anomaly_enabled());
  EXPECT_NO_THROW(log(x));  // off again: no check
  const auto train = toy_set(64, 10);
  auto model = make_model(1);
  optim::SGD opt(model->parameters(), {.lr = 1e10});
  data::DataLoader loader(*train, {.batch_size = 8});
  Trainer t(*model, opt, loader, {.epochs = 2});
  autograd::DetectAnomalyGuard anomaly;
  const std::string msg = error_of([&] { t.fit(); });
  EXPECT_NE(msg.find("anomaly: op '"), std::string::npos) << msg;
}

}  // namespace
}  // namespace eta::train

namespace eta::train {
namespace {

TEST(Trainer, TelemetryResumedIntoANewFileStartsAtTheResumedStep) {
  TempDir dir;
  const auto train = toy_set(64, 14);
  const auto run = [&](const std::string& telemetry, const std::string& resume, int64_t epochs) {
    auto model = make_model(3);
    optim::SGD opt(model->parameters(), {.lr = 0.1});
    data::DataLoader loader(*train, {.batch_size = 16});
    Trainer t(*model, opt, loader, {.epochs = epochs});
    t.add(std::make_shared<Telemetry>(telemetry)).add(std::make_shared<Checkpointer>(dir.file("ck.safetensors")));
    if (!resume.empty()) t.load_checkpoint(resume);
    t.fit();
  };
  run(dir.file("a.jsonl"), "", 1);  // 4 steps, checkpoint after epoch 1
  run(dir.file("b.jsonl"), dir.file("ck.safetensors"), 2);
  const std::string b = slurp(dir.file("b.jsonl"));
  EXPECT_EQ(std::count(b.begin(), b.end(), '\n'), 4);
  EXPECT_EQ(b.rfind("{\"step\": 5,", 0), 0u) << b;
}

}  // namespace
}  // namespace eta::train
