// What it costs to hand data from one core to another: the round trip of one cache line between
// two pinned threads, and the read of a 64 KiB buffer that the other core has just written (as a
// ReLU reads the half of a GEMM's output another thread computed). A kernel split across threads
// pays this whenever one thread consumes what another produced; on a VM whose two vCPUs sit far
// apart it bounds the 1 -> 2 thread scaling of small steps (bench/README.md, "Zen 5").
#pragma once

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace eta_bench {

struct CoreToCore {
  double round_trip_ns = 0;    // one cache line there and back
  double remote_read_gbs = 0;  // 64 KiB just written by the other core
  double local_read_gbs = 0;   // the same 64 KiB, last written by this core
};

inline bool pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// Runs on CPUs 0 and 1 (the calling thread is pinned to 0 for the duration, then given back its
// affinity). Returns zeros unless this process may run on both.
inline CoreToCore measure_core_to_core() {
  CoreToCore r;
  cpu_set_t saved;
  if (pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0 || !CPU_ISSET(0, &saved) ||
      !CPU_ISSET(1, &saved) || !pin_to_cpu(0))
    return r;
  using clock = std::chrono::steady_clock;
  constexpr int kTrips = 100000, kRounds = 2000;
  constexpr size_t kBytes = size_t{64} << 10;
  alignas(64) std::atomic<int> flag{0};
  std::vector<unsigned char> buffer(kBytes, 1);
  volatile uint64_t sink = 0;
  const auto read_all = [&] {
    uint64_t s = 0;
    for (size_t i = 0; i < kBytes; i += 64) s += buffer[i];  // one load per line: the lines' transfer
    sink = sink + s;
  };
  std::thread other([&] {
    pin_to_cpu(1);  // allowed (checked above)
    for (int i = 0; i < kTrips; ++i) {
      while (flag.load(std::memory_order_acquire) != 1) {}
      flag.store(0, std::memory_order_release);
    }
    for (int i = 0; i < kRounds; ++i) {
      while (flag.load(std::memory_order_acquire) != 2) {}
      std::memset(buffer.data(), i, kBytes);
      flag.store(3, std::memory_order_release);
    }
  });
  const auto t0 = clock::now();
  for (int i = 0; i < kTrips; ++i) {
    flag.store(1, std::memory_order_release);
    while (flag.load(std::memory_order_acquire) != 0) {}
  }
  r.round_trip_ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count() / kTrips;
  double remote = 0;
  for (int i = 0; i < kRounds; ++i) {
    flag.store(2, std::memory_order_release);
    while (flag.load(std::memory_order_acquire) != 3) {}
    const auto t = clock::now();
    read_all();
    remote += std::chrono::duration<double>(clock::now() - t).count();
  }
  other.join();
  std::memset(buffer.data(), 2, kBytes);
  const auto t1 = clock::now();
  for (int i = 0; i < kRounds; ++i) read_all();
  const double local = std::chrono::duration<double>(clock::now() - t1).count();
  pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  r.remote_read_gbs = kBytes * double(kRounds) / remote * 1e-9;
  r.local_read_gbs = kBytes * double(kRounds) / local * 1e-9;
  return r;
}

}  // namespace eta_bench
