// The learning-rate range test (Smith 2017, "Cyclical Learning Rates", section 3.3): train for N
// steps while the learning rate sweeps from start_lr to end_lr (exponentially or linearly), record
// the smoothed loss, stop once it diverges, and put the parameters, buffers and optimizer back as
// they were. The curve and two suggestions come back. It drives training steps, hence train/.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eta/optim/optimizer.h"
#include "eta/tensor/tensor.h"
#include "eta/train/data_parallel.h"

namespace eta::nn {
class Module;
}

namespace eta::train {

struct LRFindOptions {
  double start_lr = 1e-7;
  double end_lr = 10;
  int64_t num_iter = 100;
  std::string step_mode = "exp";  // or "linear"
  double smooth_beta = 0.98;      // EMA of the loss, bias-corrected as in Adam: avg / (1 − β^(i+1))
  double diverge_th = 4;          // stop when the smoothed loss exceeds diverge_th × the best so far
  // Data-parallel: loss_fn returns this rank's share of the global batch's loss (its mean times
  // local examples / global examples); the losses and gradients are summed over the ranks, so
  // every rank sees the global curve and stops at the same step.
  DataParallel* replicas = nullptr;
};

struct LRFindResult {
  std::vector<double> lrs;       // the learning rate of each step taken
  std::vector<double> losses;    // the loss of each step's batch, before its update
  std::vector<double> smoothed;  // the bias-corrected moving average
  bool diverged = false;         // stopped early: the last point is the one that diverged
  // Where the smoothed loss falls fastest per unit of log10(lr) (per unit of lr for "linear"),
  // the diverged point excluded; NaN with fewer than 3 points.
  double steepest_lr = 0;
  int64_t steepest_index = -1;
  // The learning rate at the lowest smoothed loss, divided by 10 (fastai's rule of thumb).
  double min_lr_div10 = 0;
  int64_t min_index = -1;
};

// `loss_fn(step)` returns the (one-element) loss of the next batch; lr_find runs backward() and
// optimizer.step() itself. Every group's learning rate follows the sweep. Afterwards `params`,
// `buffers` (e.g. batch-norm statistics) and the optimizer's state and hyper-parameters are
// restored exactly and the gradients dropped, also when loss_fn throws. Deterministic as far as
// loss_fn is.
LRFindResult lr_find(const std::vector<Tensor>& params, optim::Optimizer& optimizer,
                     const std::function<Tensor(int64_t step)>& loss_fn, const LRFindOptions& options = {},
                     const std::vector<Tensor>& buffers = {});
// The same over a model's parameters and buffers.
LRFindResult lr_find(nn::Module& model, optim::Optimizer& optimizer, const std::function<Tensor(int64_t step)>& loss_fn,
                     const LRFindOptions& options = {});

}  // namespace eta::train
