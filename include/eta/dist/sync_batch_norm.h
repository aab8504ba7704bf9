// SyncBatchNorm: BatchNorm whose training-mode statistics are those of the global batch over all
// processes (per-channel sums, sums of squares and counts all-reduced in forward, the two
// per-channel gradient sums in backward), so N processes normalise exactly as one process does on
// the whole batch. PyTorch 1.13 has none on CPU. Same parameter and buffer names as BatchNorm
// (state dicts load either way); eval mode uses the running statistics, without communication.
// On one process it equals BatchNorm. Every rank must run it in the same order (it communicates):
// with it, every rank needs examples in every batch (global batch >= processes and drop_last, or
// a data set whose last batch still gives each rank one), since a rank with an empty slice skips
// the forward pass.
#pragma once
#include "eta/nn/layers.h"

namespace eta::nn {

class SyncBatchNorm : public BatchNorm {
 public:
  // Inputs (N, C) or (N, C, ...): any rank of 2 or more, as PyTorch's SyncBatchNorm.
  explicit SyncBatchNorm(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                         bool track_running_stats = true);
  Tensor forward(const Tensor& x) override;

 protected:
  bool accepts_rank(int64_t rank) const override { return rank >= 2; }

 private:
  int64_t num_features_;
};

// The op: batch normalisation with statistics over every process's batch; differentiable. Each
// rank's weight and bias gradients are its own batch's share (DistributedDataParallel sums them).
Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                       const Tensor& bias, double momentum, double eps);

}  // namespace eta::nn
