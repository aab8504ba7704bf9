// One thread setting for the whole library: OpenMP loops and OpenBLAS share it. By default the
// OpenMP runtime's choice applies (OMP_NUM_THREADS is respected).
#pragma once

namespace eta {

void set_num_threads(int n);  // n >= 1
int get_num_threads();

}  // namespace eta
