// conv2d's direct kernel (stride 1: register blocks of 1-8 output channels, tail vectors, the
// transposed "full" convolution for the input gradient) against a naive reference, for output
// channel counts that exercise every block shape and remainder, in float64 and float32.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"

namespace eta {
namespace {

struct Problem {
  int64_t n, c, oc, h, w, k, pad;
};

// Naive forward and gradients in double.
struct NaiveConv {
  std::vector<double> out, gx, gw, gb;
};

NaiveConv naive(const Problem& pr, const std::vector<double>& x, const std::vector<double>& w,
                const std::vector<double>& b, const std::vector<double>& g) {
  const int64_t oh = pr.h + 2 * pr.pad - pr.k + 1, ow = pr.w + 2 * pr.pad - pr.k + 1;
  NaiveConv r{std::vector<double>(static_cast<size_t>(pr.n * pr.oc * oh * ow)), std::vector<double>(x.size()),
              std::vector<double>(w.size()), std::vector<double>(b.size())};
  auto X = [&](int64_t i, int64_t c, int64_t y, int64_t xx) { return ((i * pr.c + c) * pr.h + y) * pr.w + xx; };
  auto W = [&](int64_t o, int64_t c, int64_t ki, int64_t kj) { return ((o * pr.c + c) * pr.k + ki) * pr.k + kj; };
  for (int64_t i = 0; i < pr.n; ++i)
    for (int64_t o = 0; o < pr.oc; ++o)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          const size_t at = static_cast<size_t>(((i * pr.oc + o) * oh + oy) * ow + ox);
          double acc = b[static_cast<size_t>(o)];
          r.gb[static_cast<size_t>(o)] += g[at];
          for (int64_t c = 0; c < pr.c; ++c)
            for (int64_t ki = 0; ki < pr.k; ++ki)
              for (int64_t kj = 0; kj < pr.k; ++kj) {
                const int64_t y = oy + ki - pr.pad, xx = ox + kj - pr.pad;
                if (y < 0 || y >= pr.h || xx < 0 || xx >= pr.w) continue;
                const size_t xi = static_cast<size_t>(X(i, c, y, xx)), wi = static_cast<size_t>(W(o, c, ki, kj));
                acc += x[xi] * w[wi];
                r.gx[xi] += g[at] * w[wi];
                r.gw[wi] += g[at] * x[xi];
              }
          r.out[at] = acc;
        }
  return r;
}

std::vector<double> values(size_t n, double seed) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(seed + 0.37 * static_cast<double>(i));
  return v;
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want, double tol, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << what << " " << i;
}

void check(const Problem& pr, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << dtype_name(dtype) << " n" << pr.n << " c" << pr.c << " oc" << pr.oc << " "
                                    << pr.h << "x" << pr.w << " k" << pr.k << " pad" << pr.pad);
  const int64_t oh = pr.h + 2 * pr.pad - pr.k + 1, ow = pr.w + 2 * pr.pad - pr.k + 1;
  const auto xv = values(static_cast<size_t>(pr.n * pr.c * pr.h * pr.w), 0.1);
  const auto wv = values(static_cast<size_t>(pr.oc * pr.c * pr.k * pr.k), 1.3);
  const auto bv = values(static_cast<size_t>(pr.oc), 2.9);
  const auto gv = values(static_cast<size_t>(pr.n * pr.oc * oh * ow), 4.2);
  const NaiveConv ref = naive(pr, xv, wv, bv, gv);

  Tensor x = from_vector(xv, {pr.n, pr.c, pr.h, pr.w}, dtype).requires_grad_();
  Tensor w = from_vector(wv, {pr.oc, pr.c, pr.k, pr.k}, dtype).requires_grad_();
  Tensor b = from_vector(bv, {pr.oc}, dtype).requires_grad_();
  Tensor out = conv2d(x, w, b, {1, 1}, {pr.pad, pr.pad});
  expect_near_all(out.to_vector(), ref.out, tol, "output");
  out.backward(from_vector(gv, out.shape(), dtype));
  expect_near_all(x.grad().to_vector(), ref.gx, tol, "input gradient");
  expect_near_all(w.grad().to_vector(), ref.gw, tol, "weight gradient");
  expect_near_all(b.grad().to_vector(), ref.gb, tol, "bias gradient");
}

TEST(DirectConv, EveryBlockShapeMatchesNaive) {
  for (int64_t oc : {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17})
    for (const Problem& pr : {Problem{3, 1, oc, 9, 11, 5, 2}, Problem{2, 3, oc, 7, 6, 3, 0}, Problem{2, 2, oc, 12, 5, 3, 1}}) {
      check(pr, kFloat64, 1e-12);
      check(pr, kFloat32, 1e-4);
    }
}

// The input gradient pads gout by K-1-pad; a padding wider than K-1 takes the cropping path.
TEST(DirectConv, PaddingWiderThanTheKernelMatchesNaive) {
  for (const Problem& pr : {Problem{2, 2, 3, 6, 7, 3, 3}, Problem{2, 1, 5, 5, 4, 2, 4}, Problem{2, 3, 2, 6, 6, 1, 1}}) {
    check(pr, kFloat64, 1e-12);
    check(pr, kFloat32, 1e-4);
  }
}

TEST(DirectConv, LeNetShapesMatchNaive) {
  check({4, 1, 6, 28, 28, 5, 2}, kFloat64, 1e-12);
  check({4, 6, 16, 14, 14, 5, 0}, kFloat64, 1e-12);
  check({9, 6, 16, 14, 14, 5, 0}, kFloat32, 1e-4);  // more images than one weight-gradient chunk
  check({3, 1, 32, 28, 28, 3, 1}, kFloat32, 1e-4);  // the small CNN's first layer: 8 x 3 blocks
}

// Output channels that fill whole vectors with 64+ taps take the weight-gradient kernel vectorised
// over channels (kernels/conv_weight_grad.h): one and two vectors per block, odd vector counts,
// tap counts off the block size, kernel widths 3, 5 (by rows), 7 and 1 (by a table of taps),
// more images than a chunk, one thread and two; with the other
// directions at the same shapes (padding wider than the kernel among them).
TEST(DirectConv, ChannelVectorKernelsMatchNaive) {
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (const Problem& pr : {Problem{9, 8, 16, 6, 7, 3, 1}, Problem{3, 8, 48, 5, 5, 3, 1}, Problem{2, 32, 32, 7, 7, 3, 1},
                              Problem{3, 7, 64, 6, 5, 5, 2}, Problem{2, 3, 32, 9, 8, 5, 0}, Problem{2, 8, 32, 6, 7, 3, 1},
                              Problem{2, 32, 16, 5, 6, 3, 3}, Problem{3, 32, 64, 4, 9, 3, 0},
                              // kernels 7 and 1 wide: the tap-table path (3 and 5 go by kernel rows)
                              Problem{2, 2, 16, 9, 9, 7, 3}, Problem{2, 64, 16, 4, 5, 1, 0}}) {
      check(pr, kFloat64, 1e-12);
      check(pr, kFloat32, 1e-4);
    }
  }
  set_num_threads(before);
}

}  // namespace
}  // namespace eta
