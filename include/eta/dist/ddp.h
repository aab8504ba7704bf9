// DistributedDataParallel: one replica of a model per process. Construction checks that every rank
// has the same parameter and buffer names, shapes and dtypes (a mismatch is an error on every rank,
// not a hang) and broadcasts parameters and buffers from rank 0, so differently seeded ranks start
// equal. After backward, sync_gradients() sums the ranks' gradients in flat buckets, in a fixed
// order, with dist's ordered reduction: every replica gets the same gradients, bit for bit, and
// applies the same update. It implements train::DataParallel, so a Trainer trains with it.
//
//   eta::dist::Context ctx(&argc, &argv);
//   eta::dist::DistributedDataParallel ddp(model);
//   data::DataLoader loader(train, {.batch_size = 256 /*global*/, .rank = ctx.rank(), .world_size = ctx.world_size()});
//   for (data::Batch b; loader.next(b);) {
//     optimizer.zero_grad();
//     cross_entropy(model(b.input), b.target).backward();
//     ddp.sync_gradients(b.target.size(0));  // weights this rank's mean gradient by its share
//     optimizer.step();
//   }
#pragma once
#include <cstdint>
#include <vector>

#include "eta/nn/module.h"
#include "eta/train/data_parallel.h"

namespace eta::dist {

struct DistributedDataParallelOptions {
  int64_t bucket_cap_mb = 25;  // gradients travel in flat buckets of at most this size
};

class DistributedDataParallel : public train::DataParallel {
 public:
  explicit DistributedDataParallel(nn::Module& module, DistributedDataParallelOptions options = {});
  nn::Module& module() const { return *module_; }
  Tensor forward(const Tensor& x) { return module_->forward(x); }
  Tensor operator()(const Tensor& x) { return module_->forward(x); }

  // The gradients hold this rank's mean loss over `local_examples`: weights each rank's gradient by
  // its share of the global batch (local_examples / sum over ranks) and sums. With equal shares
  // that is PyTorch DDP's average; with an uneven last batch it is still the global mean's gradient.
  void sync_gradients(int64_t local_examples);
  // The gradients are already weighted (each rank's loss scaled by its share): sums them. A
  // parameter without a gradient on some rank counts as zeros there; one without a gradient on
  // every rank keeps none. Inside no_sync() both do nothing.
  void sum_gradients() override;

  // While the returned guard lives, gradients accumulate locally (no communication); the next
  // sync outside it reduces everything accumulated — gradient accumulation over several backward
  // passes at the cost of one reduction.
  class NoSync {
   public:
    explicit NoSync(DistributedDataParallel& ddp) : ddp_(&ddp) { ++ddp.no_sync_depth_; }
    ~NoSync() { --ddp_->no_sync_depth_; }
    NoSync(const NoSync&) = delete;
    NoSync& operator=(const NoSync&) = delete;

   private:
    DistributedDataParallel* ddp_;
  };
  [[nodiscard]] NoSync no_sync() { return NoSync(*this); }

  int64_t rank() const override;
  int64_t world_size() const override;
  void all_reduce(std::vector<double>& values, train::ReduceOp op = train::ReduceOp::Sum) override;
  std::vector<std::string> all_gather(const std::string& text) override;
  int64_t syncs() const { return syncs_; }  // gradient reductions done so far

  // Whether every replica holds the same parameters, bit for bit (a checksum per rank compared;
  // a collective). For tests and the debug mode.
  bool replicas_equal();

 private:
  struct Bucket {
    DType dtype = kFloat32;
    std::vector<size_t> params = {};  // indices into params_
    int64_t grad_elements = 0;   // then one presence flag per parameter, then the example count
    Tensor flat = {};
  };
  void reduce(double local_examples);
  void plan_buckets(int64_t cap_bytes);

  nn::Module* module_;
  std::vector<Tensor> params_;
  std::vector<Bucket> buckets_;
  int no_sync_depth_ = 0;
  int64_t syncs_ = 0;
};

}  // namespace eta::dist
