// One thread setting for the whole library: OpenMP loops and OpenBLAS share it. By default the
// OpenMP runtime's choice applies (OMP_NUM_THREADS is respected).
#pragma once
#include <string>

namespace eta {

void set_num_threads(int n);  // n >= 1
int get_num_threads();
// One line describing the BLAS in use, e.g. "OpenBLAS 0.3.21 (SkylakeX kernels, OpenMP)".
std::string blas_info();

}  // namespace eta
