// The limits a kernel is measured against, probed on the machine the benchmark runs on:
// the FMA peak (GFLOP/s of independent fused multiply-adds in the widest vectors this build
// uses) and the copy bandwidth (GB/s of memcpy, bytes read + bytes written, at a given size).
// Benchmarks divide their GFLOP/s or GB/s by these to print how far from the limit they are.
#pragma once

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace eta_bench {

#if defined(__AVX512F__)
using Vec = __m512;
inline Vec vset(float x) { return _mm512_set1_ps(x); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline void vstore(float* p, Vec a) { _mm512_storeu_ps(p, a); }
constexpr int kLanes = 16, kAcc = 16;  // 32 registers: 16 chains cover latency 4 x 2 ports x 2
constexpr const char* kIsa = "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
inline Vec vset(float x) { return _mm256_set1_ps(x); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline void vstore(float* p, Vec a) { _mm256_storeu_ps(p, a); }
constexpr int kLanes = 8, kAcc = 12;  // 16 registers: 12 chains cover latency 5 x 2 ports
constexpr const char* kIsa = "AVX2+FMA";
#else  // a build without AVX2 (-DETA_NATIVE=OFF): what its 128-bit vectors reach, multiply + add
using Vec = float __attribute__((vector_size(16)));
inline Vec vset(float x) { return Vec{x, x, x, x}; }
inline Vec vfma(Vec a, Vec b, Vec c) { return a * b + c; }
inline void vstore(float* p, Vec a) { std::memcpy(p, &a, sizeof a); }
constexpr int kLanes = 4, kAcc = 12;
constexpr const char* kIsa = "128-bit vectors, no FMA";
#endif

// Horizontal sum through memory (GCC 12 warns inside _mm512_reduce_add_ps).
inline float vsum(Vec a) {
  float t[kLanes];
  vstore(t, a);
  float s = 0;
  for (float x : t) s += x;
  return s;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One thread's FMA loop: kAcc independent chains acc = acc * a + b (a just below 1, so the
// values stay finite and normal). Returns flops.
inline double fma_loop(long iters, float* sink) {
  Vec acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = vset(static_cast<float>(i));
  const Vec a = vset(0.999999f), b = vset(1e-6f);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < kAcc; ++i) acc[i] = vfma(acc[i], a, b);
  float s = 0;
  for (int i = 0; i < kAcc; ++i) s += vsum(acc[i]);
  *sink = s;  // keeps the loop alive
  return 2.0 * kLanes * kAcc * static_cast<double>(iters);
}

// FMA peak in GFLOP/s with `threads` threads each running the loop: best of 5 rounds.
inline double measure_fma_peak(int threads) {
  const long iters = 200'000'000 / kAcc;  // ~30 ms a round
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    std::vector<float> sinks(static_cast<size_t>(threads) * 16);
    std::vector<std::thread> pool;
    const auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { fma_loop(iters, &sinks[static_cast<size_t>(t) * 16]); });
    for (auto& th : pool) th.join();
    const double s = seconds_since(t0);
    best = std::max(best, 2.0 * kLanes * kAcc * static_cast<double>(iters) * threads / s / 1e9);
  }
  return best;
}

// memcpy bandwidth in GB/s (read + written bytes) when `threads` threads each copy their share
// of `bytes` (the read size), pages touched first; repeated for ~50 ms, best of 5 rounds.
inline double measure_copy_bandwidth(size_t bytes, int threads) {
  bytes = std::max<size_t>(bytes, 4096);
  std::vector<char> src(bytes, 1), dst(bytes, 2);
  const size_t share = bytes / static_cast<size_t>(threads);
  auto copy_all = [&](int reps) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        const size_t off = share * static_cast<size_t>(t);
        for (int r = 0; r < reps; ++r) std::memcpy(dst.data() + off, src.data() + off, share);
      });
    for (auto& th : pool) th.join();
  };
  auto t0 = std::chrono::steady_clock::now();
  copy_all(1);  // warm-up, also sizes the repetitions
  const int reps = std::max(1, static_cast<int>(0.05 / std::max(seconds_since(t0), 1e-7)));
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    t0 = std::chrono::steady_clock::now();
    copy_all(reps);
    best = std::max(best, 2.0 * static_cast<double>(share * static_cast<size_t>(threads)) * reps / seconds_since(t0) / 1e9);
  }
  return best;
}

// Memoised per (threads) and (bytes, threads): every benchmark of a program shares one probe.
inline double fma_peak_gflops(int threads = 1) {
  static std::mutex m;
  static std::map<int, double> cache;
  std::lock_guard<std::mutex> lock(m);
  auto it = cache.find(threads);
  if (it == cache.end()) it = cache.emplace(threads, measure_fma_peak(threads)).first;
  return it->second;
}

// Copy bandwidth for a kernel that moves `traffic` bytes (reads + writes): a memcpy moving the
// same traffic, i.e. of traffic / 2 bytes, so the limit is taken at the kernel's working-set size.
inline double copy_gbs(double traffic, int threads = 1) {
  static std::mutex m;
  static std::map<std::pair<size_t, int>, double> cache;
  const auto key = std::make_pair(static_cast<size_t>(traffic / 2), threads);
  std::lock_guard<std::mutex> lock(m);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, measure_copy_bandwidth(key.first, threads)).first;
  return it->second;
}

}  // namespace eta_bench
