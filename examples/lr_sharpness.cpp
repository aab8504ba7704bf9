// lr_sharpness: why this learning rate? Trains the same model from the same weights with full-batch
// (or large-batch) gradient descent at several learning rates and tracks the sharpness λ_max — the
// top eigenvalue of the loss's Hessian — every few steps. Gradient descent is stable on a quadratic
// only while η < 2/λ_max; on a network, λ_max rises during training until it reaches 2/η and then
// hovers there while the loss keeps falling, not monotonically (the "edge of stability", Cohen et
// al., ICLR 2021). A rate with η > 2/λ_max at initialisation diverges at once.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "common/flags.h"
#include "common/run.h"
#include "common/training.h"
#include "eta/dist/context.h"
#include "eta/io/atomic_file.h"
#include "eta/train/curvature.h"
#include "eta/train/svg_plot.h"

namespace {

using namespace eta;

const char* kUsage =
    "usage: lr_sharpness [--model mlp|lenet] [--data DIR] [--limit 1000] [--batch 0] [--lrs 0.01,0.02,0.04]\n"
    "                    [--steps 300] [--every 10] [--iters 20] [--seed N] [--threads N]\n"
    "                    [--csv FILE.csv] [--plot FILE.svg]\n"
    "Gradient descent (SGD, no momentum) on the first --limit training images, one batch of --batch\n"
    "images (0: all of them, full-batch GD) fixed for the whole run, at each learning rate of --lrs,\n"
    "from the same initial weights. Every --every steps the sharpness λ_max (top Hessian eigenvalue\n"
    "of the loss on that batch) is measured by power iteration (at most --iters Hessian-vector\n"
    "products, warm-started from the previous eigenvector). A run stops when its loss is not finite\n"
    "or exceeds 10x its initial loss. 'rises' counts the steps at which the loss went up. CSV columns: lr, step, loss, sharpness (empty between\n"
    "measurements), two_over_lr.\n";

struct Settings {
  std::string model_name, plot_path, csv_path;
  std::vector<double> lrs;
  int64_t steps = 300, every = 10, iters = 20;
  uint64_t seed = 0;
  Tensor images, labels;  // the fixed batch
};

struct Track {
  double lr = 0;
  std::vector<double> loss_steps, losses, sharp_steps, sharpness;
  int64_t diverged_at = -1;
};

Settings parse(int argc, char** argv) {
  examples::Flags flags(argc, argv, kUsage);
  Settings s;
  s.model_name = flags.take("model", "mlp");
  const std::string data_dir = flags.take("data", examples::kDefaultDataDir);
  const int64_t limit = util::parse_int("--limit", flags.take("limit", "1000"));
  const int64_t batch = util::parse_int("--batch", flags.take("batch", "0"));
  s.lrs = util::parse_double_list("--lrs", flags.take("lrs", "0.01,0.02,0.04"));
  s.steps = util::parse_int("--steps", flags.take("steps", "300"));
  s.every = util::parse_int("--every", flags.take("every", "10"));
  s.iters = util::parse_int("--iters", flags.take("iters", "20"));
  s.seed = static_cast<uint64_t>(util::parse_int("--seed", flags.take("seed", "0")));
  const std::string threads = flags.take("threads", "");
  s.csv_path = flags.take("csv", "");
  s.plot_path = flags.take("plot", "");
  if (!flags.rest().empty()) detail::throw_error("unknown flag --", flags.rest().begin()->first, " (see --help)");
  ETA_CHECK(s.steps >= 1 && s.every >= 1 && s.iters >= 1, "--steps, --every and --iters must be positive");
  ETA_CHECK(limit >= 1 && batch >= 0, "--limit must be positive and --batch non-negative");
  ETA_CHECK(!s.lrs.empty(), "--lrs must list at least one learning rate");
  for (double lr : s.lrs) ETA_CHECK(lr > 0, "--lrs: learning rates must be positive, got ", lr);
  const std::string m = util::canonical_name(s.model_name);
  ETA_CHECK(m == "mlp" || m == "lenet" || m == "lenet5", "lr_sharpness: --model must be mlp or lenet, got '",
            s.model_name, "' (the small CNN's batch norm makes full-batch curvature a different question)");
  ETA_CHECK(dist::world_size() == 1, "lr_sharpness runs in one process (its Hessian-vector products are not "
            "distributed); start it without mpirun");
  if (!threads.empty()) set_num_threads(static_cast<int>(util::parse_int("--threads", threads)));

  data::MnistDataset train_set = data::load_mnist(data_dir, true);
  if (limit < train_set.size()) train_set = train_set.slice(0, limit);
  const int64_t n = batch == 0 ? train_set.size() : std::min(batch, train_set.size());
  data::DataLoader loader(train_set, {.batch_size = n, .shuffle = false, .seed = s.seed,
                                      .transforms = {data::Normalize::fit(train_set)}});
  data::Batch b;
  loader.next(b);
  s.images = b.input;
  s.labels = b.target;
  return s;
}

// One measurement of λ_max on the fixed batch, warm-started from `previous` (updated).
double sharpness(nn::Module& model, const Settings& s, std::vector<Tensor>& previous) {
  const train::HessianOperator h(model, [&] { return cross_entropy(model.forward(s.images), s.labels); });
  train::EigenOptions o;
  o.max_iter = s.iters;
  o.tol = 1e-3;
  o.seed = s.seed;
  o.start = previous;
  const train::EigenResult r = train::top_hessian_eigenvalue(h, o);
  previous = r.vector;
  return r.value;
}

Track run_one(const Settings& s, double lr) {
  Track t;
  t.lr = lr;
  manual_seed(s.seed);  // the same initial weights for every rate
  auto model = examples::make_model(s.model_name);
  optim::SGD optimizer(model->parameters(), {.lr = lr});
  std::vector<Tensor> eigenvector;
  double first_loss = std::numeric_limits<double>::quiet_NaN();
  for (int64_t step = 0; step <= s.steps; ++step) {
    if (step % s.every == 0 || step == s.steps) {
      t.sharp_steps.push_back(static_cast<double>(step));
      t.sharpness.push_back(sharpness(*model, s, eigenvector));
    }
    optimizer.zero_grad();
    const Tensor loss = cross_entropy(model->forward(s.images), s.labels);
    const double value = loss.item();
    if (step == 0) first_loss = value;
    t.loss_steps.push_back(static_cast<double>(step));
    t.losses.push_back(value);
    if (!std::isfinite(value) || value > 10 * first_loss) {
      t.diverged_at = step;
      break;
    }
    if (step == s.steps) break;
    loss.backward();
    optimizer.step();
  }
  return t;
}

// The run's story in one line: diverged, at the edge of stability (and how close it stayed), or
// stable below it.
std::string verdict(const Track& t) {
  const double edge = 2 / t.lr;
  if (t.diverged_at >= 0)
    return "diverged at step " + std::to_string(t.diverged_at) +
           (t.sharpness.front() > edge ? " (η > 2/λ_max already at initialisation)" : "");
  const auto first_at_edge = std::find_if(t.sharpness.begin(), t.sharpness.end(), [&](double l) { return l >= 0.9 * edge; });
  if (first_at_edge == t.sharpness.end()) return "stable: λ_max stayed below 2/η";
  double lo = *first_at_edge, hi = lo;
  for (auto it = first_at_edge; it != t.sharpness.end(); ++it) lo = std::min(lo, *it), hi = std::max(hi, *it);
  return "edge of stability: λ_max reached 2/η at step " + train::format_number(t.sharp_steps[static_cast<size_t>(
             first_at_edge - t.sharpness.begin())]) + ", then within " + train::format_number(lo / edge) + "-" +
         train::format_number(hi / edge) + " x 2/η";
}

// Steps at which the loss went up: gradient descent at the edge of stability is not monotone.
int64_t loss_rises(const Track& t) {
  int64_t n = 0;
  for (size_t i = 1; i < t.losses.size(); ++i) n += t.losses[i] > t.losses[i - 1];
  return n;
}

void report(const Settings& s, const std::vector<Track>& tracks) {
  std::printf("lr_sharpness: %s, full-batch GD on %ld images, λ_max every %ld steps\n", s.model_name.c_str(),
              static_cast<long>(s.images.size(0)), static_cast<long>(s.every));
  std::printf("%-8s %8s %10s %10s %10s %10s %6s  %s\n", "lr", "2/lr", "λ0", "λ max", "λ last", "loss last", "rises",
              "verdict");
  std::ostringstream csv;
  csv << "lr,step,loss,sharpness,two_over_lr\n";
  for (const Track& t : tracks) {
    std::printf("%-8s %8.4g %10.4g %10.4g %10.4g %10.4g %6ld  %s\n", train::format_number(t.lr).c_str(), 2 / t.lr,
                t.sharpness.front(), *std::max_element(t.sharpness.begin(), t.sharpness.end()), t.sharpness.back(),
                t.losses.back(), static_cast<long>(loss_rises(t)), verdict(t).c_str());
    size_t m = 0;
    for (size_t i = 0; i < t.losses.size(); ++i) {
      csv << t.lr << ',' << t.loss_steps[i] << ',' << t.losses[i] << ',';
      if (m < t.sharp_steps.size() && t.sharp_steps[m] == t.loss_steps[i]) csv << t.sharpness[m++];
      csv << ',' << 2 / t.lr << '\n';
    }
  }
  if (!s.csv_path.empty()) io::write_file_atomically(s.csv_path, csv.str());
}

void plot(const Settings& s, const std::vector<Track>& tracks) {
  train::SvgPlot svg;
  auto& sharp = svg.add_panel("lr_sharpness: " + s.model_name + ", sharpness λ_max (solid) and 2/η (dashed)", "step",
                              "λ_max");
  double top = 0;
  for (const Track& t : tracks) top = std::max(top, 2 / t.lr);
  sharp.y_max = 1.5 * top;  // a diverged run's λ_max would flatten the rest
  for (const Track& t : tracks) {
    const std::string name = "η " + train::format_number(t.lr);
    sharp.series.push_back({name + (t.diverged_at >= 0 ? " (diverged)" : ""), t.sharp_steps, t.sharpness});
    sharp.series.push_back({"2/η = " + train::format_number(2 / t.lr), {0, static_cast<double>(s.steps)},
                            {2 / t.lr, 2 / t.lr}, true});
  }
  auto& loss = svg.add_panel("training loss (full batch)", "step", "loss");
  loss.log_y = true;
  for (const Track& t : tracks) loss.series.push_back({"η " + train::format_number(t.lr), t.loss_steps, t.losses});
  svg.save(s.plot_path);
}

int run(int argc, char** argv) {
  const Settings s = parse(argc, argv);
  std::vector<Track> tracks;
  for (double lr : s.lrs) {
    tracks.push_back(run_one(s, lr));
    const Track& t = tracks.back();
    std::fprintf(stderr, "  lr %-10s λ0 %.4g  2/lr %.4g  %s\n", train::format_number(lr).c_str(), t.sharpness.front(),
                 2 / lr, verdict(t).c_str());
  }
  report(s, tracks);
  if (!s.plot_path.empty()) plot(s, tracks);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return eta::examples::run_main("lr_sharpness", [&] { return run(argc, argv); });
}
