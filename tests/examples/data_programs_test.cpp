// train_tabular and train_images on files the test writes (a CSV table with string labels, a
// regression table, a CIFAR-10 directory in the real binary layout): JSON lines with the task's
// metrics, the tables learned, a mid-epoch checkpoint resumed in a new process equal to the
// uninterrupted run (augmentation and telemetry included), and bad input as one clear line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "eta/data/cifar10.h"
#include "eta/tensor/generator.h"
#include "support/run_program.h"

namespace eta::testing {
namespace {

class DataPrograms : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = ::testing::TempDir() + "eta_data_programs_" + std::to_string(getpid());
    std::filesystem::create_directories(dir_ + "/cifar");
    Generator gen(5);
    // Classification: the label is which of x, y is larger, as a word; regression: t = 2x - y + 0.5.
    std::ofstream cls(dir_ + "/cls.csv"), cls_test(dir_ + "/cls_test.csv"), reg(dir_ + "/reg.csv");
    cls << "x,y,label\n";
    cls_test << "# held-out rows\nx,y,label\n";
    reg << "x,y,t\n";
    for (int i = 0; i < 400; ++i) {
      const double x = gen.next_double() * 2 - 1, y = gen.next_double() * 2 - 1;
      (i < 300 ? cls : cls_test) << x << ',' << y << ',' << (x > y ? "\"bigger, x\"" : "y") << '\n';
      reg << x << ',' << y << ',' << 2 * x - y + 0.5 << '\n';
    }
    // CIFAR-10: class k is an image whose red plane is bright in row band k (plus noise).
    const auto batch = [&](const std::string& name, int n) {
      std::vector<uint8_t> images(static_cast<size_t>(n) * 3072), labels(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) {
        const int k = static_cast<int>(gen.next_below(10));
        labels[static_cast<size_t>(i)] = static_cast<uint8_t>(k);
        for (int p = 0; p < 3072; ++p) {
          const bool on = p < 1024 && (p / 32) / 3 == k;
          images[static_cast<size_t>(i) * 3072 + static_cast<size_t>(p)] =
              static_cast<uint8_t>(on ? 200 + gen.next_below(50) : gen.next_below(80));
        }
      }
      data::write_cifar10_batch(dir_ + "/cifar/" + name, images, labels);
    };
    for (int b = 1; b <= 5; ++b) batch("data_batch_" + std::to_string(b) + ".bin", 40);
    batch("test_batch.bin", 50);
    data::write_cifar10_meta(dir_ + "/cifar/batches.meta.txt",
                             {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"});
  }
  static std::string dir_;
  std::string tmp(const std::string& name) const { return dir_ + "/" + name; }
};
std::string DataPrograms::dir_;

double last_json_value(const std::string& out, const std::string& key) {
  const size_t at = out.rfind("\"" + key + "\": ");
  EXPECT_NE(at, std::string::npos) << key << " in " << out;
  return at == std::string::npos ? NAN : std::stod(out.substr(at + key.size() + 4));
}

TEST_F(DataPrograms, TabularClassificationWithStringLabelsAndATestFile) {
  const ProgramResult r = run_program("train_tabular", "--train " + tmp("cls.csv") + " --test " + tmp("cls_test.csv") +
                                                           " --target label --epochs 15 --batch 16 --lr 0.01 --threads 1 --json true");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(last_json_value(r.out, "test_acc"), 0.9) << r.out;
  EXPECT_NE(r.err.find("bigger, x"), std::string::npos) << r.err;  // the class names, in the confusion matrix
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 15);
}

TEST_F(DataPrograms, TabularRegressionReportsRmseAndR2) {
  const ProgramResult r = run_program("train_tabular", "--train " + tmp("reg.csv") +
                                                           " --target t --task regression --test_fraction 0.25 --epochs 20 "
                                                           "--batch 16 --lr 0.01 --threads 1 --json true");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_LT(last_json_value(r.out, "test_rmse"), 0.1) << r.out;
  EXPECT_GT(last_json_value(r.out, "test_r2"), 0.98) << r.out;
}

TEST_F(DataPrograms, BadTablesGiveOneLineWithFileLineAndColumn) {
  std::ofstream(tmp("bad.csv")) << "x,y,label\n1,2,a\n3,oops,b\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--train " + tmp("bad.csv") + " --target label", "bad.csv:3:3"},
      {"--train " + tmp("cls.csv") + " --target nope", "nope"},
      {"--train " + tmp("missing.csv") + " --target label", "missing.csv"},
      {"--train " + tmp("cls.csv"), "--target is required"},
  };
  for (const auto& [args, expected] : cases) {
    const ProgramResult r = run_program("train_tabular", args + " --epochs 1");
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_NE(r.err.find(expected), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_F(DataPrograms, CifarDirectoryIsDetectedAndLearned) {
  const ProgramResult r = run_program("train_images", "--data " + tmp("cifar") +
                                                          " --model lenet --augment false --epochs 8 --batch 20 --lr 0.003 --threads 1 --json true");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("CIFAR-10 at"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("airplane"), std::string::npos) << r.err;
  EXPECT_GT(last_json_value(r.out, "test_acc"), 0.5) << r.out;
}

// A run interrupted mid-epoch (checkpoint after step 6 of 10 per epoch) and resumed in a new
// process equals the uninterrupted one: losses, test metrics and per-step telemetry, bit for bit,
// through random crops and flips.
TEST_F(DataPrograms, MidEpochResumeInANewProcessIsExact) {
  const std::string base = "--data " + tmp("cifar") + " --model lenet --batch 20 --threads 1 --optimizer sgd --lr 0.01 "
                           "--momentum 0.9 --seed 4 ";
  const ProgramResult straight = run_program(
      "train_images", base + "--epochs 2 --metrics " + tmp("s.csv") + " --telemetry " + tmp("s.jsonl"));
  ASSERT_EQ(straight.status, 0) << straight.err;
  const ProgramResult first = run_program("train_images", base + "--epochs 1 --checkpoint " + tmp("ck.safetensors") +
                                                              " --checkpoint_every 3 --checkpoint_keep 5 --telemetry " +
                                                              tmp("r.jsonl"));
  ASSERT_EQ(first.status, 0) << first.err;
  ASSERT_TRUE(std::filesystem::exists(tmp("ck.step6.safetensors")));
  const ProgramResult resumed =
      run_program("train_images", base + "--epochs 2 --resume " + tmp("ck.step6.safetensors") + " --metrics " +
                                      tmp("r.csv") + " --telemetry " + tmp("r.jsonl"));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed"), std::string::npos) << resumed.out;
  EXPECT_EQ(slurp(tmp("s.jsonl")), slurp(tmp("r.jsonl")));
  const auto losses = [](const std::string& csv) {  // every column but the timings
    std::string out;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);) out += line.substr(0, line.rfind(',', line.rfind(',') - 1)) + "\n";
    return out;
  };
  EXPECT_EQ(losses(slurp(tmp("s.csv"))), losses(slurp(tmp("r.csv"))));
}

}  // namespace
}  // namespace eta::testing
