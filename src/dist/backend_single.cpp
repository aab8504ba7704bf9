// The one-process backend: eta built without MPI. Collectives leave their data as it is.
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include "dist/backend.h"

namespace eta::dist::backend {

void init(int*, char***) {}
void finalize() {}
bool initialised() { return false; }
int rank() { return 0; }
int size() { return 1; }
int local_rank() { return 0; }
int local_size() { return 1; }
std::string describe() { return "built without MPI (one process)"; }
std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}
void reduce_ordered(void*, int64_t, DType, train::ReduceOp) {}
void broadcast(void*, int64_t, int) {}
void all_gather(const void* in, int64_t bytes, void* out) { std::memcpy(out, in, static_cast<size_t>(bytes)); }
void barrier() {}
void abort(int code) { std::_Exit(code); }

}  // namespace eta::dist::backend
