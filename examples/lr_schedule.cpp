// lr_schedule: prints (and optionally plots) the learning rate a scheduler gives at each step, with
// PyTorch's scheduler names and constructor arguments as flags — a way to see a schedule before
// training with it. Prints "step lr" for steps 0..N-1, stepping the scheduler once per line.
#include <cinttypes>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "common/flags.h"
#include "eta/optim/sgd.h"
#include "eta/sched/registry.h"
#include "eta/tensor/factory.h"
#include "eta/train/svg_plot.h"
#include "eta/util/parse.h"

namespace {

const char* kUsageRest =
    "  --lr LR           the optimizer's base learning rate (default 0.1)\n"
    "  --steps N         number of lines: steps 0..N-1 (default 100)\n"
    "  --plot FILE.svg   also draw the schedule as an SVG line chart\n"
    "  --ARG VALUE       the scheduler's PyTorch constructor arguments, lists comma-separated,\n"
    "                    e.g. --step_size 30 --gamma 0.1, --milestones 30,60, --T_max 100;\n"
    "                    composites: --schedulers LinearLR,CosineAnnealingLR --milestones 5\n"
    "                    --0.start_factor 0.1 --1.T_max 95 (a child's flags prefixed by index or name)\n"
    "Output: one line \"step lr\" per step, lr at full precision (%.17g).\n";

// The schedulers' names come from the registry (all but those stepped on a metric, which have no
// schedule to print), so a new one appears here by itself.
std::string usage() {
  std::vector<std::string> names;
  for (const std::string& n : eta::sched::scheduler_names())
    if (!eta::sched::scheduler_spec(n).traits.on_metric) names.push_back(n);
  std::ostringstream os;
  os << "usage: lr_schedule --scheduler NAME [--lr LR] [--steps N] [--plot FILE.svg] [--ARG VALUE ...]\n"
        "  --scheduler NAME  one of: "
     << eta::examples::wrap_names(names, 28, 20) << " (case-insensitive)\n"
     << kUsageRest;
  return os.str();
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("lr_schedule", [&] {
    eta::examples::Flags flags(argc, argv, usage());
    const std::string name = flags.take_required("scheduler");
    const double lr = eta::util::parse_double("--lr", flags.take("lr", "0.1"));
    const int64_t steps = eta::util::parse_int("--steps", flags.take("steps", "100"));
    const std::string plot = flags.take("plot", "");
    ETA_CHECK(steps >= 1, "--steps must be at least 1, got ", steps);
    ETA_CHECK(!(lr < 0), "--lr must be >= 0, got ", lr);

    // A one-parameter SGD stands in for the optimizer: only its parameter groups matter here.
    eta::optim::SGD optimizer({eta::zeros({1}).requires_grad_()}, {.lr = lr});
    auto scheduler = eta::sched::make_scheduler(name, optimizer, flags.rest());
    std::vector<double> xs, ys;
    for (int64_t t = 0; t < steps; ++t) {
      const double current = optimizer.param_groups()[0].lr();
      std::printf("%" PRId64 " %.17g\n", t, current);
      xs.push_back(static_cast<double>(t));
      ys.push_back(current);
      if (t + 1 < steps) scheduler->step();
    }
    std::fflush(stdout);
    if (!plot.empty()) {
      eta::train::SvgPlot svg;
      char title[128];
      std::snprintf(title, sizeof title, "%s, base lr %g", scheduler->name().c_str(), lr);
      auto& axes = svg.add_panel(title, "step", "learning rate");
      axes.series.push_back({"lr", xs, ys});
      svg.save(plot);
    }
    return 0;
  });
}
