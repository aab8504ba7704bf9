// optimizer_playground: minimises the 2-D Rosenbrock function f(x, y) = (a − x)² + b·(y − x²)²
// (a = 1, b = 100; minimum 0 at (1, 1), at the end of a long curved valley) in float64 with any
// optimizer and optional scheduler, printing "step x y f lr" — to see what a too-large or too-small
// learning rate does. Line 0 is the start point, line t the point after t updates; lr is the
// learning rate the next update uses.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "common/flags.h"
#include "eta/optim/registry.h"
#include "eta/sched/registry.h"
#include "eta/tensor/factory.h"
#include "eta/train/svg_plot.h"
#include "eta/util/parse.h"

namespace {

const char* kUsageRest =
    "  --start X,Y       starting point (default -1.5,2)\n"
    "  --steps N         number of updates (default 500); prints lines 0..N\n"
    "  --scheduler NAME  optional learning-rate scheduler (see lr_schedule --help);\n"
    "                    ReduceLROnPlateau watches f\n"
    "  --plot FILE.svg   draw f (log scale), the learning rate and the path as an SVG\n"
    "  --ARG VALUE       the optimizer's PyTorch hyper-parameters (--lr 0.001 --momentum 0.9\n"
    "                    --betas 0.9,0.999 ...) and the scheduler's arguments; a flag both accept\n"
    "                    goes to the optimizer\n"
    "Output: \"step x y f lr\" per line at full precision. Exit status 1 on bad input, 2 when the\n"
    "iterate diverges (f not finite): the learning rate is too large.\n";

// The optimizers' names come from the registry, so a new one appears here by itself.
std::string usage() {
  std::ostringstream os;
  os << "usage: optimizer_playground --optimizer NAME [--start X,Y] [--steps N] [--scheduler NAME]\n"
        "                            [--plot FILE.svg] [--ARG VALUE ...]\n"
        "  --optimizer NAME  one of: "
     << eta::examples::wrap_names(eta::optim::optimizer_names(), 28, 20) << " (case-insensitive)\n"
     << kUsageRest;
  return os.str();
}

constexpr double kA = 1, kB = 100;

double rosenbrock(double x, double y) { return (kA - x) * (kA - x) + kB * (y - x * x) * (y - x * x); }

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("optimizer_playground", [&] {
    eta::examples::Flags flags(argc, argv, usage());
    const std::string opt_name = flags.take_required("optimizer");
    const auto start = eta::util::parse_double_list("--start", flags.take("start", "-1.5,2"));
    ETA_CHECK(start.size() == 2, "--start: expected X,Y, got ", start.size(), " numbers");
    const int64_t steps = eta::util::parse_int("--steps", flags.take("steps", "500"));
    ETA_CHECK(steps >= 0, "--steps must be >= 0, got ", steps);
    const std::string sched_name = flags.take("scheduler", "");
    const std::string plot = flags.take("plot", "");

    // Route the remaining flags: the optimizer's own first, then the scheduler's.
    const auto opt_flag_names = eta::optim::optimizer_flags(opt_name);
    eta::optim::Flags opt_flags;
    eta::sched::Flags sched_flags;
    for (const auto& [k, v] : flags.rest()) {
      if (std::find(opt_flag_names.begin(), opt_flag_names.end(), k) != opt_flag_names.end()) opt_flags[k] = v;
      else if (!sched_name.empty()) sched_flags[k] = v;
      else opt_flags[k] = v;  // the optimizer factory reports it as unknown, listing its flags
    }

    eta::Tensor p = eta::from_vector(start, {2}, eta::kFloat64).requires_grad_();
    auto optimizer = eta::optim::make_optimizer(opt_name, {p}, opt_flags);
    std::unique_ptr<eta::sched::Scheduler> scheduler;
    if (!sched_name.empty()) scheduler = eta::sched::make_scheduler(sched_name, *optimizer, sched_flags);

    std::vector<double> ts, fs, lrs, xs, ys;
    for (int64_t t = 0; t <= steps; ++t) {
      const auto v = p.to_vector();
      const double x = v[0], y = v[1], f = rosenbrock(x, y), lr = optimizer->param_groups()[0].lr();
      std::printf("%" PRId64 " %.17g %.17g %.17g %.17g\n", t, x, y, f, lr);
      ts.push_back(static_cast<double>(t));
      fs.push_back(f);
      lrs.push_back(lr);
      xs.push_back(x);
      ys.push_back(y);
      if (!std::isfinite(f)) {
        std::fflush(stdout);
        std::fprintf(stderr, "optimizer_playground: diverged at step %" PRId64 " (f = %g): the learning rate is too large\n",
                     t, f);
        return 2;
      }
      if (t == steps) break;
      // The exact gradient: ∂f/∂x = −2(a − x) − 4b·x(y − x²), ∂f/∂y = 2b(y − x²).
      const double r = y - x * x;
      p.set_grad(eta::from_vector(std::vector<double>{-2 * (kA - x) - 4 * kB * x * r, 2 * kB * r}, {2}));
      optimizer->step();
      if (scheduler) scheduler->step(f);  // only ReduceLROnPlateau uses the value
    }
    std::fflush(stdout);
    if (!plot.empty()) {
      eta::train::SvgPlot svg;
      auto& loss = svg.add_panel("Rosenbrock with " + optimizer->name(), "step", "f(x, y)");
      loss.log_y = true;
      loss.series.push_back({"f", ts, fs});
      auto& rate = svg.add_panel("learning rate", "step", "lr");
      rate.series.push_back({"lr", ts, lrs});
      auto& path = svg.add_panel("path from (" + eta::util::join({std::to_string(start[0]), std::to_string(start[1])}) +
                                     ") towards the minimum (1, 1)",
                                 "x", "y");
      path.series.push_back({"path", xs, ys});
      path.series.push_back({"minimum", {1.0}, {1.0}});
      svg.save(plot);
    }
    return 0;
  });
}
