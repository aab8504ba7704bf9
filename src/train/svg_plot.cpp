// SVG rendering: per panel, data bounds (log-transformed if asked), "nice" ticks, a grid, one
// polyline per series and a legend. Colours from a colour-blind-safe palette (Okabe-Ito).
#include "eta/train/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <utility>

#include "eta/error.h"
#include "eta/io/atomic_file.h"

namespace eta::train {

namespace {

const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Tick positions covering [lo, hi] at 1-2-5 steps (linear) or powers of ten (log, in log space).
std::vector<double> ticks(double lo, double hi, bool log_scale) {
  std::vector<double> out;
  if (log_scale) {
    // Powers of ten; over less than a decade or two, also 2x and 5x them, then every digit.
    for (const std::vector<double>& mantissas : {std::vector<double>{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
      out.clear();
      for (double e = std::floor(lo); e <= std::ceil(hi); e += 1)
        for (double m : mantissas) {
          const double t = e + std::log10(m);
          if (t >= lo - 1e-9 && t <= hi + 1e-9) out.push_back(t);
        }
      if (out.size() >= 3) break;
    }
    if (out.size() < 2) out = {lo, hi};
    return out;
  }
  const double span = hi - lo;
  const double raw = span / 6;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-6; t += step) out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return out;
}

}  // namespace

Axes& SvgPlot::add_panel(const std::string& title, const std::string& x_label, const std::string& y_label) {
  Axes axes;  // member defaults (no log scales, y_max NaN = no clipping); a braced list here
  axes.title = title;  // once set y_max to 0 and clipped every linear plot flat
  axes.x_label = x_label;
  axes.y_label = y_label;
  panels_.push_back(std::move(axes));
  return panels_.back();
}

// Upper bound of a legend character's width in pixels at the plot's 12 px font.
constexpr double kLegendCharWidth = 7.5;

std::string SvgPlot::render() const {
  const int height = panel_height_ * static_cast<int>(std::max<size_t>(panels_.size(), 1));
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width_ << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width_ << " " << height << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  // The legend column is as wide as its longest label (at most ~7.5 px per character of 12 px
  // Helvetica), so a label is never cut off at the right edge.
  size_t longest = 0;
  for (const Axes& ax : panels_)
    for (const Series& s : ax.series) longest = std::max(longest, s.label.size());
  const double left = 70, right = std::max(120.0, 54 + kLegendCharWidth * static_cast<double>(longest)), top = 36,
               bottom = 48;
  for (size_t pi = 0; pi < panels_.size(); ++pi) {
    const Axes& ax = panels_[pi];
    const double y_off = static_cast<double>(pi) * panel_height_;
    const double pw = width_ - left - right, ph = panel_height_ - top - bottom;
    const auto tx = [&](double v) { return ax.log_x ? std::log10(v) : v; };
    const auto ty = [&](double v) { return ax.log_y ? std::log10(v) : v; };
    const auto usable = [&](double x, double y) {
      return std::isfinite(x) && std::isfinite(y) && (!ax.log_x || x > 0) && (!ax.log_y || y > 0);
    };
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const Series& s : ax.series)
      for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        if (usable(s.x[i], s.y[i])) {
          x0 = std::min(x0, tx(s.x[i])), x1 = std::max(x1, tx(s.x[i]));
          y0 = std::min(y0, ty(s.y[i])), y1 = std::max(y1, ty(s.y[i]));
        }
    if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (!std::isnan(ax.y_max) && usable(1.0, ax.y_max)) y1 = std::min(y1, ty(ax.y_max));
    if (y0 > y1) y0 = y1;
    if (x1 - x0 < 1e-12 * std::max(1.0, std::fabs(x0))) {
      const double half = x0 != 0 ? 0.5 * std::fabs(x0) : 0.5;
      x0 -= half, x1 += half;
    }
    if (y1 - y0 < 1e-12 * std::max(1.0, std::fabs(y0))) {  // a constant: centre it in a range of its own scale
      const double half = y0 != 0 ? 0.5 * std::fabs(y0) : 0.5;
      y0 -= half, y1 += half;
    }
    const double pad = (y1 - y0) * 0.05;
    y0 -= pad, y1 += pad;
    const auto px = [&](double v) { return left + (tx(v) - x0) / (x1 - x0) * pw; };
    const auto py = [&](double v) { return y_off + top + (1 - (ty(v) - y0) / (y1 - y0)) * ph; };
    svg << "<text x=\"" << left << "\" y=\"" << y_off + 22 << "\" font-size=\"15\" font-weight=\"bold\">" << escape(ax.title) << "</text>\n";
    for (double t : ticks(x0, x1, ax.log_x)) {
      const double x = left + (t - x0) / (x1 - x0) * pw;
      svg << "<line x1=\"" << x << "\" y1=\"" << y_off + top << "\" x2=\"" << x << "\" y2=\"" << y_off + top + ph
          << "\" stroke=\"#e5e5e5\"/><text x=\"" << x << "\" y=\"" << y_off + top + ph + 16 << "\" text-anchor=\"middle\">"
          << fmt(ax.log_x ? std::pow(10, t) : t) << "</text>\n";
    }
    for (double t : ticks(y0, y1, ax.log_y)) {
      const double y = y_off + top + (1 - (t - y0) / (y1 - y0)) * ph;
      svg << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << left + pw << "\" y2=\"" << y
          << "\" stroke=\"#e5e5e5\"/><text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
          << fmt(ax.log_y ? std::pow(10, t) : t) << "</text>\n";
    }
    svg << "<rect x=\"" << left << "\" y=\"" << y_off + top << "\" width=\"" << pw << "\" height=\"" << ph
        << "\" fill=\"none\" stroke=\"#333\"/>\n"
        << "<text x=\"" << left + pw / 2 << "\" y=\"" << y_off + panel_height_ - 10 << "\" text-anchor=\"middle\">"
        << escape(ax.x_label) << "</text>\n"
        << "<text transform=\"translate(16," << y_off + top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
        << escape(ax.y_label) << "</text>\n";
    for (size_t si = 0; si < ax.series.size(); ++si) {
      const Series& s = ax.series[si];
      const char* colour = kPalette[si % (sizeof kPalette / sizeof *kPalette)];
      // A break in the data (NaN, inf, out of a log axis) starts a new polyline.
      std::ostringstream pts;
      bool open = false;
      const auto flush = [&] {
        if (open)
          svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.8\""
              << (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
              << (s.opacity < 1 ? " stroke-opacity=\"" + fmt(s.opacity) + "\"" : std::string()) << " points=\""
              << pts.str() << "\"/>\n";
        pts.str("");
        open = false;
      };
      for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
        if (!usable(s.x[i], s.y[i])) {
          flush();
          continue;
        }
        const double yv = std::clamp(py(s.y[i]), y_off + top, y_off + top + ph);
        pts << fmt(px(s.x[i])) << "," << fmt(yv) << " ";
        open = true;
      }
      flush();
      const double ly = y_off + top + 14 + 18 * static_cast<double>(si);
      svg << "<line x1=\"" << left + pw + 12 << "\" y1=\"" << ly - 4 << "\" x2=\"" << left + pw + 36 << "\" y2=\"" << ly - 4
          << "\" stroke=\"" << colour << "\" stroke-width=\"2.5\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
          << "/><text x=\"" << left + pw + 42 << "\" y=\"" << ly << "\">" << escape(s.label) << "</text>\n";
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string format_number(double v) { return fmt(v); }

void SvgPlot::save(const std::string& path) const { io::write_file_atomically(path, render(), "SvgPlot::save"); }

}  // namespace eta::train
