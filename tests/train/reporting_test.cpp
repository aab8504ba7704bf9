// Training reports: confusion matrix, progress output in a pipe, SVG plots and atomic writes.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eta/eta.h"
#include "eta/train/metrics.h"
#include "eta/train/progress.h"
#include "eta/train/svg_plot.h"

namespace eta::train {
namespace {

TEST(ConfusionMatrix, CountsAccuracyAndPerClass) {
  ConfusionMatrix cm(3);
  const Tensor logits = from_vector(std::vector<float>{5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 0, 5}, {4, 3});
  cm.add(logits, from_vector(std::vector<int64_t>{0, 1, 2, 2}, {4}));
  EXPECT_EQ(cm.total(), 4);
  EXPECT_EQ(cm.count(2, 1), 1);
  EXPECT_DOUBLE_EQ(cm.accuracy(), 0.75);
  const auto per = cm.per_class_accuracy();
  EXPECT_DOUBLE_EQ(per[0], 1.0);
  EXPECT_DOUBLE_EQ(per[2], 0.5);
  const std::string table = cm.to_string({"cat", "dog", "emu"});
  EXPECT_NE(table.find("emu"), std::string::npos);
  EXPECT_NE(table.find("0.500"), std::string::npos);
  EXPECT_THROW(cm.add(from_vector(std::vector<int64_t>{3}, {1}), from_vector(std::vector<int64_t>{0}, {1})), Error);
}

TEST(ProgressBar, PrintsOnePlainLineInAPipe) {
  std::FILE* f = std::tmpfile();
  ProgressBar bar("epoch 1/2", 10, f, /*interactive=*/0);
  for (int i = 1; i <= 10; ++i) bar.update(i, 0.5, 0.1, i * 64);
  bar.finish("train_loss 0.5000");
  std::rewind(f);
  char buf[256] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "epoch 1/2 train_loss 0.5000\n");
}

TEST(ProgressBar, RedrawsInPlaceOnATerminal) {
  std::FILE* f = std::tmpfile();
  ProgressBar bar("epoch 1/1", 4, f, /*interactive=*/1);
  bar.update(4, 0.25, 0.01, 256);
  bar.finish("done");
  std::rewind(f);
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  const std::string s(buf, n);
  EXPECT_NE(s.find("\r"), std::string::npos);
  EXPECT_NE(s.find("4/4"), std::string::npos);
  EXPECT_NE(s.find("loss 0.2500"), std::string::npos);
}

TEST(SvgPlot, RendersSeriesLegendAndSkipsNonFinitePoints) {
  SvgPlot plot;
  Axes& ax = plot.add_panel("loss", "step", "loss");
  ax.log_y = true;
  ax.series.push_back({"lr=0.1", {0, 1, 2, 3}, {2.3, 1.0, NAN, 0.5}, false});
  ax.series.push_back({"lr=10 (diverged)", {0, 1}, {2.3, INFINITY}, true});
  const std::string svg = plot.render();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("lr=10 (diverged)"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  // the NaN splits the first series into two polylines
  size_t count = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++count;
  EXPECT_EQ(count, 3u);
}

TEST(SvgPlot, NewPanelsHaveNoYLimitAndLinearSeriesKeepTheirShape) {
  SvgPlot plot;
  Axes& ax = plot.add_panel("loss", "step", "loss");
  EXPECT_TRUE(std::isnan(ax.y_max));  // no clipping unless asked for
  ax.series.push_back({"a", {0, 1, 2}, {3.0, 2.0, 1.0}, false});
  const std::string svg = plot.render();
  const size_t at = svg.find("points=\"");
  ASSERT_NE(at, std::string::npos);
  std::istringstream pts(svg.substr(at + 8, svg.find('"', at + 8) - at - 8));
  std::set<std::string> ys;
  for (std::string pt; pts >> pt;) ys.insert(pt.substr(pt.find(',') + 1));
  EXPECT_EQ(ys.size(), 3u) << svg;  // three different heights, not all clipped to one edge
}

TEST(SvgPlot, SavesAtomicallyAndReportsUnwritablePaths) {
  const auto dir = std::filesystem::temp_directory_path() / "eta_svg_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "plot.svg").string();
  SvgPlot plot;
  plot.add_panel("t", "x", "y").series.push_back({"a", {0, 1}, {0, 1}, false});
  plot.save(path);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), plot.render());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_THROW(plot.save("/nonexistent_dir_eta/plot.svg"), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eta::train
