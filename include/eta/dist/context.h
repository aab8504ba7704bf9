// dist::Context: this process's place among the processes of a data-parallel job. Started by
// mpirun/mpiexec (or srun) on a build with MPI, it joins them (MPI_Init_thread, FUNNELED); run by
// hand, or built without MPI (ETA_WITH_MPI=OFF), it is rank 0 of 1 and the same program trains
// alone. No eta header includes mpi.h.
//
// One Context per process, created first thing in main (run_main does it) and alive until the end.
// When OMP_NUM_THREADS is unset, it sets this process's threads to the host's cores divided by the
// processes on the host, capped at the CPUs it is bound to. An environment variable
// ETA_DIST_TIMEOUT=seconds starts a watchdog that ends the job when a collective waits longer;
// ETA_DIST_DEBUG=1 checks before every collective that all ranks call the same one with the same size.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace eta::dist {

class Context {
 public:
  // argc/argv may be null; MPI may read its own arguments from them.
  Context(int* argc = nullptr, char*** argv = nullptr);
  ~Context();  // MPI_Finalize after a barrier
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int64_t rank() const;
  int64_t world_size() const;
  int64_t local_rank() const;  // among the processes on this host
  int64_t local_size() const;
  bool is_main() const { return rank() == 0; }
  // Every rank's host, threads and bound CPUs, gathered: the lines rank 0 prints at start-up
  // ("eta.dist: 2 processes (Open MPI v4.1.4, thread level funneled)\n  rank 0: host a, 1 thread, CPUs 0\n...").
  // A collective: every rank must call it. Warns in the text when a rank runs more threads than it
  // has CPUs (Open MPI binds each of 1-2 processes to one core unless told --bind-to none).
  std::string report() const;
};

// Context::report() without a Context object at hand (the same collective).
std::string report();

// This process's rank and the number of processes: 0 and 1 before a Context exists or without MPI.
int64_t rank();
int64_t world_size();
bool is_main();
bool built_with_mpi();

// Runs a program's body inside a Context. An exception on any rank prints "[rank r/W] program: message"
// and ends the whole job (MPI_Abort, so mpirun exits non-zero at once instead of the other ranks
// hanging in their next collective); on one process it prints "program: message" and returns 1.
int run_main(const char* program, int* argc, char*** argv, const std::function<int()>& body);

// Ends the job from anywhere, printing "[rank r/W] message" first.
[[noreturn]] void abort_job(const std::string& message, int code = 1);

}  // namespace eta::dist
