// Progress display. The bar redraws with '\r' only on a terminal, so logs stay one line per epoch.
#include "eta/train/progress.h"

#include <unistd.h>

#include <cmath>
#include <string>

namespace eta::train {

ProgressBar::ProgressBar(std::string title, int64_t total, std::FILE* out, int interactive)
    : title_(std::move(title)), total_(total), out_(out),
      interactive_(interactive < 0 ? isatty(fileno(out)) != 0 : interactive != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_ - std::chrono::seconds(1)) {}

double ProgressBar::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(int64_t batch, double loss, double lr, int64_t images_done) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (batch < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double t = seconds();
  const double frac = total_ > 0 ? static_cast<double>(batch) / static_cast<double>(total_) : 1.0;
  const int width = 24, filled = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  const double eta_s = frac > 0 ? t * (1 - frac) / frac : 0;
  std::fprintf(out_, "\r%s [%s] %ld/%ld loss %.4f lr %.3g %.0f img/s ETA %.0fs   ", title_.c_str(), bar.c_str(),
               static_cast<long>(batch), static_cast<long>(total_), loss, lr,
               t > 0 ? static_cast<double>(images_done) / t : 0.0, std::round(eta_s));
  std::fflush(out_);
}

void ProgressBar::finish(const std::string& summary) {
  if (interactive_) std::fprintf(out_, "\r\033[K");  // clear the live line
  std::fprintf(out_, "%s %s\n", title_.c_str(), summary.c_str());
  std::fflush(out_);
}

}  // namespace eta::train
