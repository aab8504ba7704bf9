// matmul and linear against a naive product at the shapes that take broadcast_gemm.h's kernel
// (B not transposed, a side of at most 256): every row-tile remainder (tiles of 12, 4, 2, 1 rows
// with AVX-512, 6, 4, 2, 1 with AVX2), column counts below, at and past whole vectors, A
// transposed or not, beta = 1 (linear's bias), float64 and float32, one thread and two.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"

namespace eta {
namespace {

std::vector<double> values(size_t n, double seed) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(seed + 0.61 * static_cast<double>(i));
  return v;
}

// C (m x n) = A (m x k) B (k x n), A given as (m, k) or, transposed, as (k, m).
void check_product(int64_t m, int64_t n, int64_t k, bool a_transposed, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << dtype_name(dtype) << " m" << m << " n" << n << " k" << k
                                    << (a_transposed ? " A^T" : ""));
  const auto av = values(static_cast<size_t>(m * k), 0.3), bv = values(static_cast<size_t>(k * n), 1.7);
  const auto A = [&](int64_t r, int64_t q) { return a_transposed ? av[static_cast<size_t>(q * m + r)] : av[static_cast<size_t>(r * k + q)]; };
  const Tensor a = a_transposed ? from_vector(av, {k, m}, dtype).t() : from_vector(av, {m, k}, dtype);
  const std::vector<double> got = matmul(a, from_vector(bv, {k, n}, dtype)).to_vector();
  ASSERT_EQ(got.size(), static_cast<size_t>(m * n));
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t q = 0; q < k; ++q) want += A(r, q) * bv[static_cast<size_t>(q * n + j)];
      ASSERT_NEAR(got[static_cast<size_t>(r * n + j)], want, tol * (1 + std::abs(want))) << "at " << r << ", " << j;
    }
}

TEST(Gemm, SmallProductsMatchNaive) {
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (int64_t m : {1, 2, 3, 7, 12, 13, 31, 64})
      for (int64_t n : {1, 5, 8, 16, 17, 33, 64, 70})
        for (int64_t k : {1, 9, 64})
          for (bool at : {false, true}) {
            check_product(m, n, k, at, kFloat64, 1e-12);
            check_product(m, n, k, at, kFloat32, 1e-4);
          }
    check_product(100, 300, 257, true, kFloat32, 1e-4);  // big enough to be split across threads
    check_product(300, 100, 130, false, kFloat64, 1e-12);
  }
  set_num_threads(before);
}

// The weight gradient of linear is g^T x (A transposed) and its input gradient g W (neither);
// the forward adds the bias through beta = 1.
TEST(Gemm, LinearGradientsMatchNaive) {
  const int64_t n = 19, in = 37, out = 21;
  const auto xv = values(static_cast<size_t>(n * in), 0.9), wv = values(static_cast<size_t>(out * in), 2.1);
  const auto bv = values(static_cast<size_t>(out), 3.3);
  Tensor x = from_vector(xv, {n, in}, kFloat64).requires_grad_();
  Tensor w = from_vector(wv, {out, in}, kFloat64).requires_grad_();
  Tensor b = from_vector(bv, {out}, kFloat64).requires_grad_();
  Tensor y = linear(x, w, b);
  const std::vector<double> yv = y.to_vector();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < out; ++o) {
      double want = bv[static_cast<size_t>(o)];
      for (int64_t q = 0; q < in; ++q) want += xv[static_cast<size_t>(i * in + q)] * wv[static_cast<size_t>(o * in + q)];
      ASSERT_NEAR(yv[static_cast<size_t>(i * out + o)], want, 1e-12);
    }
  y.sum().backward();
  const std::vector<double> gx = x.grad().to_vector(), gw = w.grad().to_vector();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t q = 0; q < in; ++q) {
      double want = 0;
      for (int64_t o = 0; o < out; ++o) want += wv[static_cast<size_t>(o * in + q)];
      ASSERT_NEAR(gx[static_cast<size_t>(i * in + q)], want, 1e-12);
    }
  for (int64_t o = 0; o < out; ++o)
    for (int64_t q = 0; q < in; ++q) {
      double want = 0;
      for (int64_t i = 0; i < n; ++i) want += xv[static_cast<size_t>(i * in + q)];
      ASSERT_NEAR(gw[static_cast<size_t>(o * in + q)], want, 1e-12);
    }
}

}  // namespace
}  // namespace eta
