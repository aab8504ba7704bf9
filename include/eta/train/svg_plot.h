// SvgPlot: self-contained SVG line charts (loss curves, learning-rate schedules, range tests)
// that a person opens in a browser. No dependencies; written atomically (temp file + rename).
#pragma once
#include <limits>
#include <string>
#include <vector>

namespace eta::train {

struct Series {
  std::string label;
  std::vector<double> x, y;  // non-finite points are skipped (a diverged run ends its line)
  bool dashed = false;
  double opacity = 1.0;  // e.g. 0.35 for noisy raw data under a smoothed line
};

struct Axes {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  // Upper y limit when set (not NaN): points above it are drawn at the edge, so that one exploding
  // value (a diverged run) does not flatten everything else.
  double y_max = std::numeric_limits<double>::quiet_NaN();
  std::vector<Series> series;
};

class SvgPlot {
 public:
  // Panels are laid out one above the other, sharing the width.
  explicit SvgPlot(int width = 900, int panel_height = 360) : width_(width), panel_height_(panel_height) {}
  Axes& add_panel(const std::string& title, const std::string& x_label, const std::string& y_label);
  std::string render() const;
  // Writes render() to `path` through a temporary file and a rename; throws eta::Error on failure.
  void save(const std::string& path) const;

 private:
  int width_, panel_height_;
  std::vector<Axes> panels_;
};

// A number in 4 significant digits ("0.001", "3e-05"), for labels.
std::string format_number(double v);

}  // namespace eta::train
