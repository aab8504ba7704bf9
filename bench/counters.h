// The peak-fraction counters the Google Benchmark programs print (nn_bench, core_bench): a kernel's
// GFLOP/s over this CPU's FMA peak, or its GB/s over a memcpy of the same traffic, both at the same
// thread count (the limits come from peak.h's probe).
#pragma once
#include <benchmark/benchmark.h>

#include "peak.h"

namespace eta_bench {

// peak_frac: `flops` per iteration over the FMA peak at `threads` threads.
inline void peak_fraction(benchmark::State& state, double flops, int threads) {
  state.counters["peak_frac"] = benchmark::Counter(flops / (fma_peak_gflops(threads) * 1e9),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

// GB/s of `traffic` bytes per iteration, and bw_frac: that over a memcpy of the same traffic.
inline void bandwidth(benchmark::State& state, double traffic, int threads) {
  state.counters["GB/s"] = benchmark::Counter(traffic, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
  state.counters["bw_frac"] = benchmark::Counter(traffic / (copy_gbs(traffic, threads) * 1e9),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace eta_bench
