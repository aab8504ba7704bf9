// The only door to BLAS (and LAPACK). Row-major GEMM: C (M,N) = alpha * op(A) (M,K) * op(B) (K,N) + beta * C.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eta::kernels {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);
void blas_set_num_threads(int n);
// Replaces `diag` by the eigenvalues (ascending) of the symmetric tridiagonal matrix with `diag`
// and `off` (one shorter) — LAPACK's dstev, which OpenBLAS ships; for Lanczos. Returns dstev's
// info: 0 when it converged (the caller says what failure means for it).
int tridiagonal_eigenvalues(std::vector<double>& diag, std::vector<double> off);
// The kernel set OpenBLAS runs (e.g. "SkylakeX"); see blas.cpp for how it is chosen.
std::string blas_core();

}  // namespace eta::kernels
