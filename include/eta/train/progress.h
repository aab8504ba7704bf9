// ProgressBar: on a terminal, one live line per epoch redrawn in place (batch i/n, loss, learning
// rate, images/s, ETA); in a pipe or CI, nothing until finish(), which prints one plain line.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

namespace eta::train {

class ProgressBar {
 public:
  // `out` is normally stdout; interactive is detected with isatty() unless forced.
  ProgressBar(std::string title, int64_t total_batches, std::FILE* out = stdout, int interactive = -1);
  // Call after each batch; redraws at most ~10 times a second.
  void update(int64_t batch, double loss, double lr, int64_t images_done);
  // Ends the line (terminal) or prints the plain summary line (pipe).
  void finish(const std::string& summary);
  double seconds() const;

 private:
  std::string title_;
  int64_t total_;
  std::FILE* out_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace eta::train
