// The message-passing backend under eta::dist: raw-buffer collectives over the world of processes.
// backend_mpi.cpp implements it over MPI (ETA_WITH_MPI); backend_single.cpp is the one-process
// stand-in, so the same programs build and run without MPI. Private to the dist library.
#pragma once
#include <cstdint>
#include <string>

#include "eta/tensor/dtype.h"
#include "eta/train/data_parallel.h"

namespace eta::dist::backend {

// Starts the backend when a launcher (mpirun, srun) started this process; otherwise, or without
// MPI, the world is this process alone. `argc`/`argv` may be null.
void init(int* argc, char*** argv);
void finalize();
bool initialised();
int rank();
int size();
int local_rank();  // among the processes on this host
int local_size();
std::string describe();  // "Open MPI 4.1.4, thread level funneled" or "no MPI (one process)"
std::string host_name();

// Sum or max of `count` float32/float64/int64 values over the ranks, in place. Each rank owns a
// chunk and combines it in rank order 0, 1, ..., W-1 (reduce-scatter), then every rank receives
// every chunk (all-gather): the result does not depend on the MPI library's algorithm choice and
// is bit-identical on every rank.
void reduce_ordered(void* data, int64_t count, DType dtype, train::ReduceOp op);
void broadcast(void* data, int64_t bytes, int root);
// Gathers `bytes` from every rank into out[rank * bytes, ...).
void all_gather(const void* in, int64_t bytes, void* out);
void barrier();
// Ends every process of the job with `code` (MPI_Abort), or this one without MPI.
[[noreturn]] void abort(int code);

}  // namespace eta::dist::backend
