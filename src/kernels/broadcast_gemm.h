// A GEMM for the small-batch shapes of training (an MLP's 64 x 256 x 784, its weight gradient
// 256 x 784 x 64), where OpenBLAS 0.3.21 reached about half the FMA peak: it packs both operands
// on every call, and a 64-row batch gives that packing little work to pay for it. Here
//   C (m x n) = alpha * A B + beta * C,  A[r][q] = a[r * ars + q * aqs]  (any strides),
//   B[q][j] = b[q * ldb + j]  (rows contiguous),  C[r][j] = c[r * crs + j * cjs],
// so both operands are read where they lie: a register tile of R rows x NV vectors of columns
// takes, per step q, NV aligned-or-not vector loads of B and R scalars of A broadcast into the
// FMAs; the tile's accumulators stay in registers for the whole of K. No packing unless neither
// operand has contiguous rows (then the smaller is transposed into a buffer: see blas.cpp).
// Each element of C is one thread's sum over q in order, so results repeat bit for bit.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/vec.h"

namespace eta::kernels {

// Rows per tile: R x 2 accumulators + 2 vectors of B + a broadcast within the register file.
#if defined(__AVX512F__)
inline constexpr int kGemmRows = 12;  // 27 of 32 registers
#else
inline constexpr int kGemmRows = 6;   // 15 of 16
#endif

struct GemmOperands {
  int64_t m, n, k;
  const void* a;
  int64_t ars, aqs;
  const void* b;
  int64_t ldb;
  void* c;
  int64_t crs, cjs;
};

// acc = the tile's sums over q of panel[q][r] * B[q][v-th vector]; panel is A's R rows copied
// q-major (k x R), so the R scalars of a step sit side by side at fixed offsets. (Read in place
// at a runtime row stride, the R row addresses took more integer registers than there are and
// GCC spilled a vector of B to the stack: 0.3-0.45 of peak.)
template <class T, int R, int NV>
inline void gemm_tile(int64_t k, const T* panel, const T* b, int64_t ldb, Vec<T, kWideBytes> (&acc)[R][NV]) {
  using VT = Vec<T, kWideBytes>;
  constexpr int64_t L = kLanes<T, kWideBytes>;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[r][v] = VT{};
  for (int64_t q = 0; q < k; ++q) {
    VT bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) bv[v] = load<T, kWideBytes>(b + q * ldb + v * L);
    const T* aq = panel + q * R;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const T av = aq[r];
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[r][v] += av * bv[v];
    }
  }
}

// C's tile of R rows and `cols` columns (at most NV vectors). acc is read only as whole vectors:
// indexing its lanes made GCC keep all the accumulators in memory instead of registers.
template <class T, int R, int NV>
inline void gemm_store(const Vec<T, kWideBytes> (&acc)[R][NV], int64_t cols, T alpha, T beta, T* c, int64_t crs,
                       int64_t cjs) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      const int64_t lanes = std::min<int64_t>(L, cols - v * L);
      T* dst = c + r * crs + v * L * cjs;
      const Vec<T, kWideBytes> scaled = alpha * acc[r][v];
      if (lanes == L && cjs == 1) {
        store(dst, beta == T(0) ? scaled : scaled + beta * load<T, kWideBytes>(dst));
      } else {
        T part[L];
        store(part, scaled);
        for (int64_t l = 0; l < lanes; ++l)  // beta == 0 must not read C: it may hold anything
          dst[l * cjs] = beta == T(0) ? part[l] : part[l] + beta * dst[l * cjs];
      }
    }
}

// Rows [r0, r0 + R) against columns [j0, j1): whole pairs of vectors, one vector, then (j1 = n)
// a partial one whose B columns come from `btail` (k x L, zero beyond the real columns).
template <class T, int R>
void gemm_rows(const GemmOperands& op, int64_t r0, int64_t j0, int64_t j1, T alpha, T beta, const T* btail, T* panel) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const T* a = static_cast<const T*>(op.a) + r0 * op.ars;
  for (int64_t q = 0; q < op.k; ++q)
    for (int r = 0; r < R; ++r) panel[q * R + r] = a[r * op.ars + q * op.aqs];
  const T* b = static_cast<const T*>(op.b);
  T* c = static_cast<T*>(op.c) + r0 * op.crs;
  int64_t j = j0;
  for (; j + 2 * L <= j1; j += 2 * L) {
    Vec<T, kWideBytes> acc[R][2];
    gemm_tile<T, R, 2>(op.k, panel, b + j, op.ldb, acc);
    gemm_store<T, R, 2>(acc, 2 * L, alpha, beta, c + j * op.cjs, op.crs, op.cjs);
  }
  for (; j + L <= j1; j += L) {
    Vec<T, kWideBytes> acc[R][1];
    gemm_tile<T, R, 1>(op.k, panel, b + j, op.ldb, acc);
    gemm_store<T, R, 1>(acc, L, alpha, beta, c + j * op.cjs, op.crs, op.cjs);
  }
  if (j < j1) {
    Vec<T, kWideBytes> acc[R][1];
    gemm_tile<T, R, 1>(op.k, panel, btail, L, acc);
    gemm_store<T, R, 1>(acc, j1 - j, alpha, beta, c + j * op.cjs, op.crs, op.cjs);
  }
}

// Rows [r0, r1) x columns [j0, j1): whole tiles of kGemmRows, the rest in tiles of 4, 2 and 1.
template <class T>
void gemm_range(const GemmOperands& op, int64_t r0, int64_t r1, int64_t j0, int64_t j1, T alpha, T beta,
                const T* btail) {
  thread_local std::vector<T> panel;
  panel.resize(static_cast<size_t>(op.k * kGemmRows));
  T* p = panel.data();
  int64_t r = r0;
  for (; r + kGemmRows <= r1; r += kGemmRows) gemm_rows<T, kGemmRows>(op, r, j0, j1, alpha, beta, btail, p);
  for (; r + 4 <= r1; r += 4) gemm_rows<T, 4>(op, r, j0, j1, alpha, beta, btail, p);
  for (; r + 2 <= r1; r += 2) gemm_rows<T, 2>(op, r, j0, j1, alpha, beta, btail, p);
  for (; r < r1; ++r) gemm_rows<T, 1>(op, r, j0, j1, alpha, beta, btail, p);
}

// The whole product across eta's threads when it is big enough: split by whole row tiles, or,
// when there are few (a batch of 64 is 6 tiles, 36 and 28 rows for two threads), by columns in
// whole pairs of vectors. btail: a k x L buffer for the columns past the last whole vector.
template <class T>
void broadcast_gemm(const GemmOperands& op, T alpha, T beta, T* btail) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const int64_t tail = op.n % L, j_tail = op.n - tail;
  if (tail > 0) {
    const T* b = static_cast<const T*>(op.b);
    for (int64_t q = 0; q < op.k; ++q)
      for (int64_t l = 0; l < L; ++l) btail[q * L + l] = l < tail ? b[q * op.ldb + j_tail + l] : T(0);
  }
  const int64_t tiles = (op.m + kGemmRows - 1) / kGemmRows;
  const double macs = static_cast<double>(op.m) * static_cast<double>(op.n) * static_cast<double>(op.k);
  if (macs < (1 << 18)) return gemm_range<T>(op, 0, op.m, 0, op.n, alpha, beta, btail);  // one thread
  const int64_t threads = omp_in_parallel() ? 1 : omp_get_max_threads(), panels = (op.n + 2 * L - 1) / (2 * L);
  if (tiles >= 4 * threads || panels < 2 * threads) {
    parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
      gemm_range<T>(op, t0 * kGemmRows, std::min(op.m, t1 * kGemmRows), 0, op.n, alpha, beta, btail);
    });
  } else {
    parallel_for(0, panels, 1, [&](int64_t p0, int64_t p1) {
      gemm_range<T>(op, 0, op.m, p0 * 2 * L, std::min(op.n, p1 * 2 * L), alpha, beta, btail);
    });
  }
}

}  // namespace eta::kernels
