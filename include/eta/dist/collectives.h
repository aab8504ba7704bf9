// Collectives on tensors across the processes of the job (dist::Context). Every rank must call
// the same collectives in the same order with tensors of the same shape and dtype. Sums run in a
// fixed rank order, independent of the MPI library's algorithms: every rank gets the same bits,
// and a run repeats bit for bit at a fixed number of processes and threads.
#pragma once
#include <string>
#include <vector>

#include "eta/tensor/tensor.h"
#include "eta/train/data_parallel.h"

namespace eta::dist {

// Element-wise sum (or max) over the ranks, in place; `t` must be contiguous.
void all_reduce(Tensor& t, train::ReduceOp op = train::ReduceOp::Sum);
void all_reduce(std::vector<double>& values, train::ReduceOp op = train::ReduceOp::Sum);
// Rank `root`'s values into `t` on every rank (contiguous, same shape and dtype everywhere).
void broadcast(Tensor& t, int64_t root = 0);
// Every rank's `t` stacked along a new first dimension: [world_size, ...t.shape()].
Tensor all_gather(const Tensor& t);
// Every rank's text, in rank order (texts may differ in length).
std::vector<std::string> all_gather(const std::string& text);
void barrier();

}  // namespace eta::dist
