// OpenBLAS calls. eta links the OpenMP build of OpenBLAS, so BLAS threads and eta's OpenMP loops
// share one pool instead of oversubscribing the cores.
#include "kernels/blas.h"

#include "kernels/broadcast_gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

// Present in DYNAMIC_ARCH builds of OpenBLAS (Debian's); weak so other builds still link.
extern "C" __attribute__((weak)) void gotoblas_dynamic_init(void);
extern "C" __attribute__((weak)) void gotoblas_dynamic_quit(void);
extern "C" __attribute__((weak)) char* openblas_get_corename(void);
// LAPACK's symmetric tridiagonal eigensolver, exported by OpenBLAS (no LAPACK header needed).
extern "C" void dstev_(const char* jobz, const int* n, double* d, double* e, double* z, const int* ldz, double* work,
                       int* info);

namespace eta::kernels {

namespace {

// OpenBLAS 0.3.21 (Debian 12) does not recognise recent Intel CPUs such as Sapphire Rapids and
// falls back to its generic Prescott (SSE3) kernels: sgemm then runs at ~25 GFLOP/s instead of
// ~100 on one core here. When the user has not chosen OPENBLAS_CORETYPE, pick the newest kernel
// set the CPU supports and redo OpenBLAS's selection. Setting OPENBLAS_CORETYPE always wins.
const char* choose_blas_core() {
  if (std::getenv("OPENBLAS_CORETYPE") || !gotoblas_dynamic_init || !gotoblas_dynamic_quit || !openblas_get_corename)
    return nullptr;
  if (std::strcmp(openblas_get_corename(), "Prescott") != 0) return nullptr;  // OpenBLAS knew the CPU
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}

struct BlasCoreSelection {
  BlasCoreSelection() {
    if (const char* core = choose_blas_core()) {
      setenv("OPENBLAS_CORETYPE", core, 0);
      gotoblas_dynamic_quit();  // init is a no-op while a kernel set is selected
      gotoblas_dynamic_init();
    }
  }
};
// Runs while the program starts, before any thread exists.
const BlasCoreSelection selection;

}  // namespace

std::string blas_core() { return openblas_get_corename ? openblas_get_corename() : "unknown"; }

namespace {

// Where broadcast_gemm.h's kernel beats OpenBLAS (bench/core_bench.cpp, BM_EtaMatmul against
// BM_RawSgemm): B not transposed (its rows contiguous, read in place) and a small side, as
// training's batches make the backward products: an MLP's weight gradient (TN, 256 x 784 x 64)
// 199 -> 176 us on one thread and 156 -> 96 us on two, its input gradients (NN) 0.56 -> 0.66 of
// peak. With B transposed (the forward x W^T) one operand would have to be transposed first, and
// that cost more than OpenBLAS's packing (0.25-0.36 of peak against 0.5). Products with both
// sides over 256, a side over 4096 or K over 2048 (large inference batches, most im2col
// convolutions) keep OpenBLAS's cache blocking. AVX-512 builds only: in an AVX2 build the kernel
// (6 x 2 tiles of 8 floats) was no better than OpenBLAS's Haswell kernels, and worse on two
// threads (64 x 256 x 784: 200 us against 160).
bool use_broadcast_gemm(bool trans_b, int64_t m, int64_t n, int64_t k) {
  return kWideBytes >= 64 && !trans_b && std::min(m, n) <= 256 && k <= 2048 && std::max(m, n) <= 4096;
}

// OpenBLAS threads a GEMM it is given over its own split; for the products of small batches that
// split did worse than one single-threaded call per thread on a slice of the longer side of C
// (two threads, linear() = x W^T + b, bench/core_bench.cpp BM_LinearForward): 64 x 10 x 3136 (the
// small CNN's classifier) 132 -> 65 us, 64 x 120 x 400 (LeNet-5's) 52 -> 47 us, an MLP inference
// batch's 1000 x 128 x 256 314 -> 278 us; 64 x 256 x 784 and 1000 x 256 x 784 unchanged. Inside eta's parallel region OpenBLAS runs on
// the calling thread. The slices depend only on the shape and thread count, so results repeat.
// Products under 2^18 multiply-adds (~0.5 MFLOP) stay one call: the threads would cost more than they save.
template <class T, class Blas>
void blas_by_slices(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                    const T* b, int64_t ldb, T beta, T* c, int64_t ldc, Blas blas) {
  const auto call = [&](int64_t rows, int64_t cols, const T* a0, const T* b0, T* c0) {
    blas(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(rows),
         static_cast<int>(cols), static_cast<int>(k), alpha, a0, static_cast<int>(lda), b0, static_cast<int>(ldb), beta,
         c0, static_cast<int>(ldc));
  };
  const int64_t threads = max_threads();
  if (threads == 1 || static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < (1 << 18))
    return call(m, n, a, b, c);
  constexpr int64_t kLine = 64 / sizeof(T);  // column slices in whole cache lines of C
  if (m >= n) {
    parallel_for(0, m, 1, [&](int64_t r0, int64_t r1) {
      call(r1 - r0, n, a + (trans_a ? r0 : r0 * lda), b, c + r0 * ldc);
    });
  } else {
    parallel_for(0, (n + kLine - 1) / kLine, 1, [&](int64_t l0, int64_t l1) {
      const int64_t j0 = l0 * kLine, j1 = std::min(n, l1 * kLine);
      call(m, j1 - j0, a, b + (trans_b ? j0 * ldb : j0), c + j0);
    });
  }
}

// One GEMM in either precision: eta's kernel where it wins, else `blas` (cblas_sgemm or cblas_dgemm).
template <class T, class Blas>
void gemm_by(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
             const T* b, int64_t ldb, T beta, T* c, int64_t ldc, Blas blas) {
  if (use_broadcast_gemm(trans_b, m, n, k))
    return broadcast_gemm(a, trans_a ? 1 : lda, trans_a ? lda : 1, b, ldb, c, ldc, m, n, k, alpha, beta);
  blas_by_slices(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, blas);
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_by(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, cblas_sgemm);
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  gemm_by(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, cblas_dgemm);
}

void blas_set_num_threads(int n) { openblas_set_num_threads(n); }

int tridiagonal_eigenvalues(std::vector<double>& diag, std::vector<double> off) {
  const int n = static_cast<int>(diag.size()), ldz = 1;
  off.resize(diag.size());  // dstev's workspace for e has n entries
  int info = 0;
  if (n > 0) dstev_("N", &n, diag.data(), off.data(), nullptr, &ldz, nullptr, &info);
  return info;
}

}  // namespace eta::kernels
