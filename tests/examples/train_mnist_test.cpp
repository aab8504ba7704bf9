// Runs train_mnist on small IDX files the test writes itself (no Fashion-MNIST package needed):
// exact resume, determinism, JSON lines, plots, divergence and bad-input handling.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "eta/data/idx.h"
#include "eta/tensor/generator.h"
#include "support/run_program.h"

namespace eta::testing {
namespace {

// A learnable toy set: class k is a bright 6x6 square at a position set by k, plus noise.
void write_toy_set(const std::string& dir, int64_t n, bool train, uint64_t seed) {
  Generator gen(seed);
  data::IdxArray images{{n, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(n * 784))};
  data::IdxArray labels{{n}, std::vector<uint8_t>(static_cast<size_t>(n))};
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = static_cast<int64_t>(gen.next_below(10));
    labels.data[static_cast<size_t>(i)] = static_cast<uint8_t>(k);
    const int64_t r0 = 2 + (k / 5) * 12, c0 = 2 + (k % 5) * 5;
    for (int64_t p = 0; p < 784; ++p) {
      const int64_t r = p / 28, c = p % 28;
      const bool on = r >= r0 && r < r0 + 6 && c >= c0 && c < c0 + 6;
      images.data[static_cast<size_t>(i * 784 + p)] = static_cast<uint8_t>(on ? 200 + gen.next_below(56) : gen.next_below(60));
    }
  }
  const std::string prefix = dir + (train ? "/train" : "/t10k");
  data::write_idx(prefix + "-images-idx3-ubyte", images, /*gzip=*/train);
  data::write_idx(prefix + "-labels-idx1-ubyte", labels, /*gzip=*/false);
}

class TrainMnist : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Per process: CTest runs these tests in parallel processes.
    dir_ = ::testing::TempDir() + "eta_toy_mnist_" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
    write_toy_set(dir_, 320, true, 1);
    write_toy_set(dir_, 100, false, 2);
  }
  static std::string dir_;
  std::string common() const { return "--data " + dir_ + " --batch 32 --threads 1 --seed 3 "; }
  std::string tmp(const std::string& name) const { return dir_ + "/" + name; }
};
std::string TrainMnist::dir_;

// The loss columns of a metrics CSV (timings dropped).
std::vector<std::string> loss_columns(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    size_t cut = 0;
    for (int commas = 0; commas < 5 && cut != std::string::npos; ++commas) cut = line.find(',', cut + 1);
    out.push_back(line.substr(0, cut));
  }
  return out;
}

TEST_F(TrainMnist, ResumingAfterEpochOneReproducesTheUninterruptedRunExactly) {
  for (const std::string model : {"mlp", "cnn"}) {  // cnn: BatchNorm buffers and dropout's generator too
    const std::string base = common() + "--model " + model + " --optimizer sgd --lr 0.05 --momentum 0.9 --scheduler StepLR --step_size 7 ";
    const ProgramResult straight = run_program("train_mnist", base + "--epochs 2 --metrics " + tmp("straight.csv"));
    ASSERT_EQ(straight.status, 0) << straight.err << straight.out;
    const ProgramResult first = run_program("train_mnist", base + "--epochs 1 --checkpoint " + tmp("ck.safetensors"));
    ASSERT_EQ(first.status, 0) << first.err;
    const ProgramResult resumed = run_program(
        "train_mnist", base + "--epochs 2 --resume " + tmp("ck.safetensors") + " --metrics " + tmp("resumed.csv"));
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_NE(resumed.out.find("resumed"), std::string::npos);
    const auto a = loss_columns(slurp(tmp("straight.csv"))), b = loss_columns(slurp(tmp("resumed.csv")));
    ASSERT_EQ(a.size(), 3u) << model;  // header + 2 epochs
    EXPECT_EQ(a, b) << model;
  }
}

TEST_F(TrainMnist, SameSeedGivesIdenticalLossesAndTheToySetIsLearned) {
  const std::string args = common() + "--epochs 3 --json true";
  const ProgramResult a = run_program("train_mnist", args + " --metrics " + tmp("a.csv"));
  const ProgramResult b = run_program("train_mnist", args + " --metrics " + tmp("b.csv"));
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(loss_columns(slurp(tmp("a.csv"))), loss_columns(slurp(tmp("b.csv"))));
  // --json: exactly one JSON object per epoch on stdout, with every field.
  std::istringstream lines(a.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    for (const char* key : {"\"epoch\"", "\"train_loss\"", "\"test_loss\"", "\"test_acc\"", "\"lr\"", "\"train_seconds\"",
                            "\"examples_per_second\""})
      EXPECT_NE(line.find(key), std::string::npos) << line;
  }
  EXPECT_EQ(count, 3);
  EXPECT_NE(a.out.find("\"epoch\": 3"), std::string::npos);
  EXPECT_NE(a.err.find("confusion matrix"), std::string::npos);  // the summary goes to stderr with --json
  const size_t acc = a.out.rfind("\"test_acc\": ");
  EXPECT_GT(std::stod(a.out.substr(acc + 12)), 0.9) << a.out;
}

TEST_F(TrainMnist, WritesAPlotAndPrintsASummary) {
  const ProgramResult r = run_program("train_mnist", common() + "--epochs 1 --model lenet --plot " + tmp("run.svg"));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string svg = slurp(tmp("run.svg"));
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("learning rate"), std::string::npos);
  EXPECT_NE(r.out.find("epoch 1/1 train_loss"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test accuracy"), std::string::npos);
  EXPECT_NE(r.out.find("accuracy\n"), std::string::npos);  // the per-class column of the matrix
}

TEST_F(TrainMnist, DivergenceStopsWithTheStepNotNaNSoup) {
  const ProgramResult r = run_program("train_mnist", common() + "--epochs 1 --optimizer sgd --lr 1e10");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("diverged"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("step"), std::string::npos) << r.err;
}

TEST_F(TrainMnist, BadInputGivesOneClearLineAndExitOne) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--bogus 1", "unknown flag --bogus"},
      {"--epochs x", "--epochs"},
      {"--model resnet", "unknown --model"},
      {"--optimizer adamm", "adamm"},
      {"--scheduler CosineAnneal", "CosineAnneal"},
      {"--momentum 0.9", "unknown flag --momentum"},  // Adam has no momentum
      {"--resume " + tmp("missing.safetensors"), "missing.safetensors"},
  };
  for (const auto& [args, expected] : cases) {
    const ProgramResult r = run_program("train_mnist", common() + args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_NE(r.err.find(expected), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  const ProgramResult no_dir = run_program("train_mnist", "--data /nonexistent/dir --epochs 1");
  EXPECT_EQ(no_dir.status, 1);
  EXPECT_NE(no_dir.err.find("/nonexistent/dir"), std::string::npos);
  const std::string junk = tmp("junk_mnist");
  std::filesystem::create_directories(junk);
  for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
    std::ofstream(junk + "/" + f) << "<html>not found</html>";
  const ProgramResult wrong = run_program("train_mnist", "--data " + junk + " --epochs 1");
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.err.find("train-images-idx3-ubyte"), std::string::npos) << wrong.err;
}

TEST_F(TrainMnist, ResumeRefusesACheckpointOfAnotherModel) {
  ASSERT_EQ(run_program("train_mnist", common() + "--epochs 1 --checkpoint " + tmp("mlp.safetensors")).status, 0);
  const ProgramResult r =
      run_program("train_mnist", common() + "--epochs 2 --model lenet --resume " + tmp("mlp.safetensors"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("model"), std::string::npos) << r.err;
}

// lr_sweep's SGD-HD rows: from the smallest rate the learned one grows and the loss ends lower than
// the constant rate's; the CSV lists every run.
TEST_F(TrainMnist, LrSweepLearnsTheRateFromABadStart) {
  const ProgramResult r = run_program("lr_sweep", "--data " + dir_ + " --threads 1 --batch 32 --steps 60 --lrs 0.0001,10 "
                                      "--schedules false --hypergrad_lr 0.01 --csv " + tmp("sweep.csv"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto final_loss = [&](const std::string& label) {
    const size_t at = r.out.find(label);
    EXPECT_NE(at, std::string::npos) << label << " missing from\n" << r.out;
    if (at == std::string::npos) return -1.0;
    std::string rest = r.out.substr(at + label.size(), r.out.find('\n', at) - at - label.size());
    if (rest.find(" (ends at ") == 0) rest = rest.substr(rest.find(')') + 1);
    std::istringstream fields(rest);  // the label is followed by the final loss and the accuracy
    double loss = -1;
    fields >> loss;
    return loss;
  };
  EXPECT_NE(r.out.find("SGD-HD from lr 0.0001 (ends at "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SGD-HD from lr 10"), std::string::npos) << r.out;
  const double constant = final_loss("lr 0.0001 "), learned = final_loss("SGD-HD from lr 0.0001");
  EXPECT_GT(constant, 0);
  EXPECT_LT(learned, constant) << r.out;
  const std::string csv = slurp(tmp("sweep.csv"));
  EXPECT_NE(csv.find("\"SGD-HD from lr 0.0001"), std::string::npos) << csv;
}

// lr_sharpness: λ_max is measured at every --every steps and at the end, the CSV has the issue's
// columns, a rate far above 2/λ_max diverges at once, and the plot is written.
TEST_F(TrainMnist, LrSharpnessTracksLambdaMaxAndFlagsDivergence) {
  const ProgramResult r = run_program("lr_sharpness", "--data " + dir_ + " --threads 1 --limit 200 --steps 20 "
                                      "--every 10 --iters 15 --lrs 0.05,50 --csv " + tmp("sharp.csv") + " --plot " +
                                      tmp("sharp.svg"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("η > 2/λ_max already at initialisation"), std::string::npos) << r.out;
  const std::string csv = slurp(tmp("sharp.csv"));
  EXPECT_EQ(csv.rfind("lr,step,loss,sharpness,two_over_lr\n", 0), 0u) << csv;
  // The stable run: 21 rows (steps 0..20), λ_max at steps 0, 10 and 20, all positive.
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  int rows = 0, measured = 0;
  while (std::getline(in, line)) {
    if (line.rfind("0.05,", 0) != 0) continue;
    ++rows;
    const std::vector<std::string> f = [&] {
      std::vector<std::string> out;
      std::istringstream ls(line);
      for (std::string x; std::getline(ls, x, ',');) out.push_back(x);
      return out;
    }();
    ASSERT_EQ(f.size(), 5u) << line;
    if (!f[3].empty()) {
      ++measured;
      EXPECT_GT(std::stod(f[3]), 0) << line;
    }
    EXPECT_EQ(std::stod(f[4]), 40) << line;
  }
  EXPECT_EQ(rows, 21);
  EXPECT_EQ(measured, 3);
  EXPECT_NE(slurp(tmp("sharp.svg")).find("2/η"), std::string::npos);
  const ProgramResult bad = run_program("lr_sharpness", "--data " + dir_ + " --model cnn");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("--model must be mlp or lenet"), std::string::npos) << bad.err;
}

#ifdef ETA_MPIEXEC
// Under mpiexec the same program trains data-parallel with no extra flag: --batch is the global
// batch, figures are reduced and printed once (rank 0), and they match one process's.
double json_number(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\":");
  return at == std::string::npos ? -1.0 : std::stod(line.substr(at + key.size() + 3));
}

std::vector<std::string> json_lines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] == '{') lines.push_back(l);
  return lines;
}

TEST_F(TrainMnist, TrainsDataParallelUnderMpiexec) {
  const std::string args = common() + "--model mlp --epochs 2 --json true --checkpoint " + tmp("dist.safetensors");
  const std::string launcher = std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ") + ETA_MPIEXEC +
                               " -n 2 --oversubscribe --bind-to none";
  const ProgramResult one = run_program("train_mnist", args);
  const ProgramResult two = run_program("train_mnist", args, launcher);
  ASSERT_EQ(two.status, 0) << two.err;
  EXPECT_NE(two.err.find("eta.dist: 2 processes"), std::string::npos) << two.err;
  EXPECT_NE(two.err.find("batch 32,"), std::string::npos) << "the global batch";
  const auto a = json_lines(one.out), b = json_lines(two.out);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u) << "printed once, by rank 0:\n" << two.out;
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_NEAR(json_number(b[e], "train_loss"), json_number(a[e], "train_loss"), 1e-4 * json_number(a[e], "train_loss"));
    EXPECT_NEAR(json_number(b[e], "test_loss"), json_number(a[e], "test_loss"), 1e-4 * json_number(a[e], "test_loss"));
  }
  EXPECT_TRUE(std::filesystem::exists(tmp("dist.safetensors")));
  // A run resumed at another number of processes continues, with a warning.
  const ProgramResult resumed = run_program("train_mnist", common() + "--model mlp --epochs 3 --resume " + tmp("dist.safetensors"));
  EXPECT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("saved by 2 processes and resumes on 1"), std::string::npos) << resumed.err;
}
#endif

}  // namespace
}  // namespace eta::testing
