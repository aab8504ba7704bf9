// Runs the lr_schedule and optimizer_playground programs as a user would and checks what they
// print, the SVG they write, and the one-line error and non-zero exit on bad flags.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_program.h"

namespace {

using eta::testing::run_program;
using eta::testing::slurp;
using Result = eta::testing::ProgramResult;

Result run(const std::string& program, const std::string& args) { return run_program(program, args); }

std::vector<std::vector<double>> rows(const std::string& text) {
  std::vector<std::vector<double>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<double> row;
    double x;
    while (ls >> x) row.push_back(x);
    out.push_back(row);
  }
  return out;
}

TEST(LrScheduleExample, PrintsStepLRAtFullPrecision) {
  const Result r = run("lr_schedule", "--scheduler StepLR --step_size 3 --gamma 0.5 --lr 1 --steps 8");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = rows(r.out);
  ASSERT_EQ(lines.size(), 8u);
  for (size_t t = 0; t < lines.size(); ++t) {
    ASSERT_EQ(lines[t].size(), 2u);
    EXPECT_EQ(lines[t][0], static_cast<double>(t));
    EXPECT_EQ(lines[t][1], std::pow(0.5, static_cast<double>(t / 3)));
  }
}

TEST(LrScheduleExample, WarmupThenCosineAndPlot) {
  const std::string svg = ::testing::TempDir() + "warmup_cosine.svg";
  std::remove(svg.c_str());
  const Result r = run("lr_schedule",
                       "--scheduler SequentialLR --schedulers LinearLR,CosineAnnealingLR --milestones 5 "
                       "--LinearLR.start_factor 0.2 --LinearLR.total_iters 5 --CosineAnnealingLR.T_max 10 "
                       "--lr 0.1 --steps 16 --plot " + svg);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = rows(r.out);
  ASSERT_EQ(lines.size(), 16u);
  EXPECT_NEAR(lines[0][1], 0.02, 1e-17);
  EXPECT_NEAR(lines[4][1], 0.1 * (0.2 + 0.8 * 4 / 5), 1e-16);
  EXPECT_EQ(lines[5][1], 0.1);  // the cosine starts at the milestone
  EXPECT_NEAR(lines[15][1], 0.0, 1e-17);
  const std::string text = slurp(svg);
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("</svg>"), std::string::npos);
}

TEST(LrScheduleExample, UnknownFlagIsOneLineAndNonZeroExit) {
  const Result r = run("lr_schedule", "--scheduler StepLR --step_size 3 --gama 0.5");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unknown flag --gama"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  const Result bad = run("lr_schedule", "--scheduler NoSuchLR");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("unknown scheduler 'NoSuchLR'"), std::string::npos) << bad.err;
  const Result nan = run("lr_schedule", "--scheduler StepLR --step_size 3 --steps many");
  EXPECT_NE(nan.status, 0);
  EXPECT_NE(nan.err.find("--steps: 'many' is not an integer"), std::string::npos) << nan.err;
}

TEST(OptimizerPlaygroundExample, AdamApproachesTheMinimum) {
  const Result r = run("optimizer_playground", "--optimizer Adam --lr 0.02 --betas 0.9,0.999 --start -1.5,2 --steps 3000");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = rows(r.out);
  ASSERT_EQ(lines.size(), 3001u);
  EXPECT_EQ(lines[0], (std::vector<double>{0, -1.5, 2, 12.5, 0.02}));
  const auto& last = lines.back();
  EXPECT_EQ(last[0], 3000);
  EXPECT_LT(last[3], 1e-3);  // f near its minimum 0 at (1, 1)
  EXPECT_NEAR(last[1], 1.0, 0.05);
}

TEST(OptimizerPlaygroundExample, SchedulerSetsTheLearningRateOfTheNextUpdate) {
  const Result r = run("optimizer_playground",
                       "--optimizer SGD --lr 0.001 --momentum 0.9 --scheduler StepLR --step_size 2 --gamma 0.1 --steps 4");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = rows(r.out);
  ASSERT_EQ(lines.size(), 5u);
  const double expect[] = {0.001, 0.001, 0.0001, 0.0001, 0.00001};
  for (size_t t = 0; t < 5; ++t) EXPECT_NEAR(lines[t][4], expect[t], 1e-18) << t;
  // Line 1 is the point after one SGD step from (-1.5, 2): x − lr·∂f/∂x.
  const double x = -1.5, y = 2, dfdx = -2 * (1 - x) - 400 * x * (y - x * x);
  EXPECT_DOUBLE_EQ(lines[1][1], x - 0.001 * dfdx);
}

TEST(OptimizerPlaygroundExample, TooLargeLearningRateDivergesWithAClearMessage) {
  const Result r = run("optimizer_playground", "--optimizer SGD --lr 0.01 --steps 100");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("diverged at step"), std::string::npos) << r.err;
}

TEST(OptimizerPlaygroundExample, BadFlagsFail) {
  const Result unknown = run("optimizer_playground", "--optimizer Adam --momentum 0.9");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("unknown flag --momentum"), std::string::npos) << unknown.err;
  const Result start = run("optimizer_playground", "--optimizer Adam --start 1");
  EXPECT_EQ(start.status, 1);
  EXPECT_NE(start.err.find("--start"), std::string::npos) << start.err;
  const Result beta = run("optimizer_playground", "--optimizer Adam --betas 0.9,1.5");
  EXPECT_EQ(beta.status, 1);
  EXPECT_NE(beta.err.find("beta2"), std::string::npos) << beta.err;
}

}  // namespace
