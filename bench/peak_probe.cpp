// peak_probe: this machine's limits as the benchmarks see them — FMA peak (GFLOP/s) on 1 and 2
// threads in the widest vectors of this build, and memcpy bandwidth (GB/s, read + written bytes)
// from cache-sized to memory-sized copies. Built twice: with eta's native flags (peak_probe) and
// with -march=haswell -mtune=generic (peak_probe_haswell), the AVX2 limit of the same CPU. With two
// CPUs or more, also the cost of handing data between two cores (core_to_core.h).
// Run: ./build/bench/peak_probe [--json]
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "core_to_core.h"
#include "peak.h"

namespace {

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
  const int max_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const double fma1 = eta_bench::fma_peak_gflops(1), fma_all = eta_bench::fma_peak_gflops(max_threads);
  // Copy sizes: in L1, in L2, and well past any cache the VM reports (512 MiB source).
  const size_t sizes[] = {16u << 10, 512u << 10, 512u << 20};
  double copy1[3], copy_all[3];
  for (int i = 0; i < 3; ++i) {
    copy1[i] = eta_bench::measure_copy_bandwidth(sizes[i], 1);
    copy_all[i] = eta_bench::measure_copy_bandwidth(sizes[i], max_threads);
  }
  const eta_bench::CoreToCore c2c = eta_bench::measure_core_to_core();
  if (json) {
    std::printf("{\"cpu\": \"%s\", \"isa\": \"%s\", \"fma_gflops_1\": %.1f, \"fma_gflops_%d\": %.1f, "
                "\"copy_gbs_16k\": %.1f, \"copy_gbs_512k\": %.1f, \"copy_gbs_512m\": %.1f, \"copy_gbs_512m_%d\": %.1f, "
                "\"core_round_trip_ns\": %.1f, \"remote_read_gbs\": %.1f, \"local_read_gbs\": %.1f}\n",
                cpu_model().c_str(), eta_bench::kIsa, fma1, max_threads, fma_all, copy1[0], copy1[1], copy1[2],
                max_threads, copy_all[2], c2c.round_trip_ns, c2c.remote_read_gbs, c2c.local_read_gbs);
    return 0;
  }
  std::printf("CPU: %s, %s build\n", cpu_model().c_str(), eta_bench::kIsa);
  std::printf("FMA peak: %.1f GFLOP/s on 1 thread, %.1f on %d threads\n", fma1, fma_all, max_threads);
  std::printf("memcpy (GB/s, read + written):   1 thread   %d threads\n", max_threads);
  const char* names[] = {"16 KiB (L1)", "512 KiB (L2)", "512 MiB (memory)"};
  for (int i = 0; i < 3; ++i) std::printf("  %-18s %14.1f %11.1f\n", names[i], copy1[i], copy_all[i]);
  if (c2c.round_trip_ns > 0)
    std::printf("core 0 <-> core 1: a cache line's round trip %.0f ns; reading 64 KiB the other core just wrote "
                "%.1f GB/s (this core's own: %.1f)\n",
                c2c.round_trip_ns, c2c.remote_read_gbs, c2c.local_read_gbs);
  return 0;
}
