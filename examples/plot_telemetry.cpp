// plot_telemetry: draws --telemetry files (JSON lines, one per step) side by side — the update
// ratio ‖Δθ‖/‖θ‖ per step on a log scale, and the loss — one line per file, labelled by its name.
// Usage: plot_telemetry OUT.svg LABEL=FILE.jsonl [LABEL=FILE.jsonl ...]
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/flags.h"
#include "eta/train/smoothed_loss.h"
#include "eta/train/svg_plot.h"

namespace {

// The number after "key": in a JSON line, NaN when absent or null.
double field(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\": ");
  if (at == std::string::npos || line.compare(at + key.size() + 4, 4, "null") == 0) return std::nan("");
  return std::stod(line.substr(at + key.size() + 4));
}

int run(int argc, char** argv) {
  ETA_CHECK(argc >= 3, "usage: plot_telemetry OUT.svg LABEL=FILE.jsonl [LABEL=FILE.jsonl ...]");
  std::vector<eta::train::Series> ratios, losses;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    ETA_CHECK(eq != std::string::npos, "'", arg, "' is not LABEL=FILE.jsonl");
    std::ifstream in(arg.substr(eq + 1));
    ETA_CHECK(in.good(), "cannot read ", arg.substr(eq + 1));
    eta::train::Series r{arg.substr(0, eq), {}, {}}, l{arg.substr(0, eq), {}, {}};
    eta::train::SmoothedLoss smoothed;
    for (std::string line; std::getline(in, line);) {
      const double step = field(line, "step");
      r.x.push_back(step), r.y.push_back(field(line, "update_ratio"));
      l.x.push_back(step), l.y.push_back(smoothed.add(field(line, "loss")));
    }
    ratios.push_back(r);
    losses.push_back(l);
  }
  // Panels are added after reading: add_panel may move the ones before it.
  eta::train::SvgPlot plot;
  auto& ratio = plot.add_panel("update-to-weight ratio per step", "step", "||update|| / ||weights||");
  ratio.log_y = true;
  ratio.series = ratios;
  plot.add_panel("training loss (smoothed)", "step", "loss").series = losses;
  plot.save(argv[1]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("plot_telemetry", [&] { return run(argc, argv); });
}
