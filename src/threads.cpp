// set_num_threads: one knob for OpenMP and OpenBLAS.
#include "eta/threads.h"

#include <omp.h>

#include "eta/error.h"
#include "kernels/blas.h"

namespace eta {

void set_num_threads(int n) {
  ETA_CHECK(n >= 1, "set_num_threads: need at least 1 thread, got ", n);
  omp_set_num_threads(n);
  kernels::blas_set_num_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

std::string blas_info() { return "OpenBLAS (" + kernels::blas_core() + " kernels, OpenMP build)"; }

}  // namespace eta
