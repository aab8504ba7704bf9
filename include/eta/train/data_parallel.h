// DataParallel: what the Trainer and evaluate() need from the processes they train with — this
// process's rank among world_size replicas, a gradient sum across them, and small reductions to
// agree on figures and decisions. eta::dist implements it over MPI (dist/ddp.h); the core never
// sees MPI. Every rank must make the same calls in the same order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eta::train {

enum class ReduceOp { Sum, Max };

class DataParallel {
 public:
  virtual ~DataParallel() = default;
  virtual int64_t rank() const = 0;
  virtual int64_t world_size() const = 0;
  bool is_main() const { return rank() == 0; }

  // Sums every parameter's gradient over the ranks (each rank has already weighted its own by its
  // share of the global batch). Afterwards every rank holds the same gradients, bit for bit.
  virtual void sum_gradients() = 0;
  // Element-wise reduction of `values` over the ranks; every rank gets the same result, bit for bit.
  virtual void all_reduce(std::vector<double>& values, ReduceOp op = ReduceOp::Sum) = 0;
  // Every rank's `text`, in rank order.
  virtual std::vector<std::string> all_gather(const std::string& text) = 0;
  // True on every rank when `ok` is true on every rank: agrees on a rank-local decision.
  bool all_ok(bool ok) {
    std::vector<double> v{ok ? 0.0 : 1.0};
    all_reduce(v, ReduceOp::Max);
    return v[0] == 0.0;
  }
};

}  // namespace eta::train
