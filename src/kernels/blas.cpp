// OpenBLAS calls. eta links the OpenMP build of OpenBLAS, so BLAS threads and eta's OpenMP loops
// share one pool instead of oversubscribing the cores.
#include "kernels/blas.h"

#include "eta/error.h"

#include <cblas.h>

#include <cstdlib>
#include <cstring>
#include <string>

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

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

void blas_set_num_threads(int n) { openblas_set_num_threads(n); }

std::vector<double> tridiagonal_eigenvalues(std::vector<double> diag, std::vector<double> off) {
  const int n = static_cast<int>(diag.size()), ldz = 1;
  off.resize(diag.size());  // dstev's workspace for e has n entries
  int info = 0;
  if (n > 0) dstev_("N", &n, diag.data(), off.data(), nullptr, &ldz, nullptr, &info);
  ETA_CHECK(info == 0, "tridiagonal_eigenvalues: LAPACK dstev did not converge (info ", info, ") on ", n,
            " entries; a non-finite Hessian-vector product?");
  return diag;
}

}  // namespace eta::kernels
