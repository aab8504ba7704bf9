// The learning-rate range test: snapshot, sweep with a bias-corrected smoothed loss, restore, then
// pick the steepest descent and min/10 suggestions.
#include "eta/train/lr_find.h"

#include "eta/train/smoothed_loss.h"
#include "train/saved_values.h"

#include <cmath>
#include <limits>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/nn/module.h"

namespace eta::train {

namespace {

// Everything lr_find changes, copied before the sweep and put back after it.
class Snapshot {
 public:
  Snapshot(const std::vector<Tensor>& params, const std::vector<Tensor>& buffers, optim::Optimizer& optimizer)
      : params_(params), buffers_(buffers), optimizer_(optimizer), state_(optimizer.state_dict()) {}
  void restore() {
    params_.restore();
    buffers_.restore();
    for (const Tensor& p : params_.tensors()) Tensor(p).zero_grad();
    optimizer_.load_state_dict(state_);
    optimizer_.zero_grad();
  }

 private:
  SavedValues params_, buffers_;
  optim::Optimizer& optimizer_;
  optim::StateDict state_;
};

void suggest(LRFindResult& r, bool log_x) {
  const size_t n = r.smoothed.size() - (r.diverged ? 1 : 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.steepest_lr = r.min_lr_div10 = nan;
  if (n == 0) return;
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (r.smoothed[i] < r.smoothed[best]) best = i;
  r.min_index = static_cast<int64_t>(best);
  r.min_lr_div10 = r.lrs[best] / 10;
  if (n < 3) return;
  // Slope by central differences (one-sided at the ends), as numpy.gradient on uneven spacing.
  auto x = [&](size_t i) { return log_x ? std::log10(r.lrs[i]) : r.lrs[i]; };
  double steepest = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i == 0 ? 0 : i - 1, hi = i + 1 == n ? i : i + 1;
    const double slope = (r.smoothed[hi] - r.smoothed[lo]) / (x(hi) - x(lo));
    if (slope < steepest) {
      steepest = slope;
      r.steepest_index = static_cast<int64_t>(i);
    }
  }
  r.steepest_lr = r.lrs[static_cast<size_t>(r.steepest_index)];
}

}  // namespace

LRFindResult lr_find(const std::vector<Tensor>& params, optim::Optimizer& optimizer,
                     const std::function<Tensor(int64_t)>& loss_fn, const LRFindOptions& o,
                     const std::vector<Tensor>& buffers) {
  ETA_CHECK(o.step_mode == "exp" || o.step_mode == "linear", "lr_find: step_mode must be 'exp' or 'linear', got '",
            o.step_mode, "'");
  ETA_CHECK(o.start_lr > 0 || (o.step_mode == "linear" && o.start_lr >= 0), "lr_find: invalid start_lr: ", o.start_lr,
            " (expected > 0 for an exponential sweep)");
  ETA_CHECK(o.end_lr > o.start_lr, "lr_find: end_lr (", o.end_lr, ") must be larger than start_lr (", o.start_lr, ")");
  ETA_CHECK(o.num_iter >= 2, "lr_find: invalid num_iter: ", o.num_iter, " (expected >= 2)");
  ETA_CHECK(o.smooth_beta >= 0 && o.smooth_beta < 1, "lr_find: invalid smooth_beta: ", o.smooth_beta,
            " (expected in [0, 1))");
  ETA_CHECK(o.diverge_th > 1, "lr_find: invalid diverge_th: ", o.diverge_th, " (expected > 1)");
  ETA_CHECK(static_cast<bool>(loss_fn), "lr_find: loss_fn is empty");

  Snapshot snapshot(params, buffers, optimizer);
  LRFindResult r;
  try {
    SmoothedLoss smoothed(o.smooth_beta, o.diverge_th);
    const double n = static_cast<double>(o.num_iter - 1);
    for (int64_t i = 0; i < o.num_iter; ++i) {
      const double frac = static_cast<double>(i) / n;
      const double lr = o.step_mode == "exp" ? o.start_lr * std::pow(o.end_lr / o.start_lr, frac)
                                             : o.start_lr + (o.end_lr - o.start_lr) * frac;
      optimizer.set_lr(lr);
      optimizer.zero_grad();
      const Tensor loss = loss_fn(i);
      ETA_CHECK(loss.defined() && loss.numel() == 1, "lr_find: loss_fn must return a one-element loss at step ", i);
      double value = loss.item();
      if (o.replicas) {
        std::vector<double> sum{value};
        o.replicas->all_reduce(sum);
        value = sum[0];
      }
      r.lrs.push_back(lr);
      r.losses.push_back(value);
      r.smoothed.push_back(smoothed.add(value));
      if (smoothed.diverged()) {
        r.diverged = true;
        break;
      }
      loss.backward();
      if (o.replicas) o.replicas->sum_gradients();
      optimizer.step();
    }
  } catch (...) {
    snapshot.restore();
    throw;
  }
  snapshot.restore();
  suggest(r, o.step_mode == "exp");
  return r;
}

LRFindResult lr_find(nn::Module& model, optim::Optimizer& optimizer, const std::function<Tensor(int64_t)>& loss_fn,
                     const LRFindOptions& options) {
  std::vector<Tensor> buffers;
  for (const auto& [name, b] : model.named_buffers()) buffers.push_back(b);
  return lr_find(model.parameters(), optimizer, loss_fn, options, buffers);
}

}  // namespace eta::train
