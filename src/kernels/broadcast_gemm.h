// A GEMM for the small-batch products of training whose B has contiguous rows (an MLP's weight
// gradient g^T x, 256 x 784 x 64; its input gradients g W), where OpenBLAS 0.3.21 reached about
// 0.4-0.6 of the FMA peak: it packs both operands on every call, and a 64-row batch gives that
// packing little work to pay for it. Here C (m x n, row-major) = alpha * A B + beta * C with
// A[r][q] = a[r * ars + q * aqs] (A or A^T) and B[q][j] = b[q * ldb + j] read in place: a tile
// of R rows x NV vectors of columns takes, per step q, NV vector loads of B and R scalars of A
// broadcast into the FMAs, its accumulators in registers for the whole of K. Only A's R rows of
// the tile are copied first, q-major, so that the R scalars of a step sit side by side. Each
// element of C is one thread's sum over q in order, so results repeat bit for bit.
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels/parallel.h"
#include "kernels/scratch.h"
#include "kernels/vec.h"

namespace eta::kernels {

// Rows per tile: R x 2 accumulators + 2 vectors of B + a broadcast within the register file.
#if defined(__AVX512F__)
inline constexpr int kGemmRows = 12;  // 27 of 32 registers
#else
inline constexpr int kGemmRows = 6;   // 15 of 16
#endif

template <class T>
struct GemmOperands {
  int64_t m, n, k;
  const T* a;
  int64_t ars, aqs;
  const T* b;
  int64_t ldb;
  T* c;
  int64_t ldc;
  T alpha, beta;
  const T* btail;  // k x L: B's columns past the last whole vector, zero-padded (null if none)
};

// acc = the tile's sums over q of panel[q][r] * B[q][v-th vector]. (A read in place at a runtime
// row stride took more integer registers than there are, and GCC spilled a vector of B.)
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

// The tile into C (`cols` columns, at most NV vectors). acc is read only as whole vectors:
// indexing its lanes made GCC keep every accumulator in memory instead of registers.
template <class T, int R, int NV>
inline void gemm_store(const Vec<T, kWideBytes> (&acc)[R][NV], int64_t cols, T alpha, T beta, T* c, int64_t ldc) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      T* dst = c + r * ldc + v * L;
      const Vec<T, kWideBytes> scaled = alpha * acc[r][v];
      if (cols - v * L >= L) {
        store(dst, beta == T(0) ? scaled : scaled + beta * load<T, kWideBytes>(dst));
      } else {
        T part[L];
        store(part, scaled);
        for (int64_t l = 0; l < cols - v * L; ++l)  // beta == 0 must not read C: it may hold anything
          dst[l] = beta == T(0) ? part[l] : part[l] + beta * dst[l];
      }
    }
}

// Rows [r0, r0 + R) x columns [j0, j1): whole pairs of vectors, one vector, then (j1 = n) the
// partial one from btail.
template <class T, int R>
void gemm_rows(const GemmOperands<T>& op, int64_t r0, int64_t j0, int64_t j1, T* panel) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const T* a = op.a + r0 * op.ars;
  for (int64_t q = 0; q < op.k; ++q)
    for (int r = 0; r < R; ++r) panel[q * R + r] = a[r * op.ars + q * op.aqs];
  T* c = op.c + r0 * op.ldc;
  int64_t j = j0;
  for (; j + 2 * L <= j1; j += 2 * L) {
    Vec<T, kWideBytes> acc[R][2];
    gemm_tile<T, R, 2>(op.k, panel, op.b + j, op.ldb, acc);
    gemm_store<T, R, 2>(acc, 2 * L, op.alpha, op.beta, c + j, op.ldc);
  }
  for (; j + L <= j1; j += L) {
    Vec<T, kWideBytes> acc[R][1];
    gemm_tile<T, R, 1>(op.k, panel, op.b + j, op.ldb, acc);
    gemm_store<T, R, 1>(acc, L, op.alpha, op.beta, c + j, op.ldc);
  }
  if (j < j1) {
    Vec<T, kWideBytes> acc[R][1];
    gemm_tile<T, R, 1>(op.k, panel, op.btail, L, acc);
    gemm_store<T, R, 1>(acc, j1 - j, op.alpha, op.beta, c + j, op.ldc);
  }
}

// Rows [r0, r1) x columns [j0, j1): whole tiles of kGemmRows, the rest in tiles of 4, 2 and 1.
template <class T>
void gemm_range(const GemmOperands<T>& op, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  T* p = scratch<T>(2, static_cast<size_t>(op.k * kGemmRows));  // each thread's own
  int64_t r = r0;
  for (; r + kGemmRows <= r1; r += kGemmRows) gemm_rows<T, kGemmRows>(op, r, j0, j1, p);
  for (; r + 4 <= r1; r += 4) gemm_rows<T, 4>(op, r, j0, j1, p);
  for (; r + 2 <= r1; r += 2) gemm_rows<T, 2>(op, r, j0, j1, p);
  for (; r < r1; ++r) gemm_rows<T, 1>(op, r, j0, j1, p);
}

// C = alpha A B + beta C across eta's threads when it is big enough: split by whole row tiles, or,
// when there are few (a batch of 64 is 6 tiles: 36 and 28 rows on two threads), by columns in
// whole pairs of vectors. The split depends only on the shape and thread count.
template <class T>
void broadcast_gemm(const T* a, int64_t ars, int64_t aqs, const T* b, int64_t ldb, T* c, int64_t ldc, int64_t m,
                    int64_t n, int64_t k, T alpha, T beta) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  // Read by every thread; the calling thread's slot 3 (its slot 2 is its own panel).
  T* btail = n % L ? scratch<T>(3, static_cast<size_t>(k * L)) : nullptr;
  if (btail)
    for (int64_t q = 0, j = n / L * L; q < k; ++q)
      for (int64_t l = 0; l < L; ++l) btail[q * L + l] = j + l < n ? b[q * ldb + j + l] : T(0);
  const GemmOperands<T> op{m, n, k, a, ars, aqs, b, ldb, c, ldc, alpha, beta, btail};
  const int64_t tiles = (m + kGemmRows - 1) / kGemmRows, panels = (n + 2 * L - 1) / (2 * L);
  const int64_t threads = max_threads();
  if (static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < (1 << 18) || threads == 1)
    gemm_range(op, 0, m, 0, n);  // small products stay on the calling thread
  else if (tiles >= 4 * threads || panels < 2 * threads)
    parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) { gemm_range(op, t0 * kGemmRows, std::min(m, t1 * kGemmRows), 0, n); });
  else
    parallel_for(0, panels, 1, [&](int64_t p0, int64_t p1) { gemm_range(op, 0, m, p0 * 2 * L, std::min(n, p1 * 2 * L)); });
}

}  // namespace eta::kernels
