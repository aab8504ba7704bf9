// Hang insurance for collectives: MPI has no timeout, so a rank that never joins a collective
// would leave the others waiting forever. Each collective marks itself pending; with
// ETA_DIST_TIMEOUT=seconds a watchdog thread reports the rank, step and pending collective and ends
// the process (mpirun then ends the job). ETA_DIST_DEBUG=1 turns on the call check in collectives.cpp.
#pragma once
#include <cstdint>

namespace eta::dist::watch {

void start_if_asked();  // reads ETA_DIST_TIMEOUT; no thread without it
void stop();
void set_step(int64_t step);  // the training step, for the report
int64_t step();
bool debug_calls();  // ETA_DIST_DEBUG=1

// Marks a collective in flight for its lifetime.
class Pending {
 public:
  Pending(const char* name, int64_t count);
  ~Pending();
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
};

}  // namespace eta::dist::watch
