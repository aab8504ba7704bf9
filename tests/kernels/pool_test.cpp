// The 2x2 max-pool fast path (explicit vectors, overlapping last block) against a naive
// reference: forward values and where each gradient goes, with ties (the first maximum wins,
// as after a ReLU), NaN (the first NaN wins), odd sizes (the last row/column gets no gradient)
// and rows both shorter and longer than one vector, in float32 and float64.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "eta/eta.h"

namespace eta {
namespace {

struct Reference {
  std::vector<double> out, grad;
};

// out[p, oy, ox] = max of the 2x2 window; its gradient (oy * ow + ox + 1, distinct per output)
// goes to the first element, row-major, equal to the max (or the first NaN).
Reference naive_2x2(const std::vector<double>& x, int64_t planes, int64_t h, int64_t w) {
  const int64_t oh = h / 2, ow = w / 2;
  Reference r{std::vector<double>(static_cast<size_t>(planes * oh * ow)), std::vector<double>(x.size(), 0.0)};
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t at = p * h * w + 2 * oy * w + 2 * ox;  // the window's first element
        for (int64_t k = 1; k < 4; ++k) {
          const int64_t i = p * h * w + (2 * oy + k / 2) * w + 2 * ox + k % 2;
          const double v = x[static_cast<size_t>(i)], best = x[static_cast<size_t>(at)];
          if (!std::isnan(best) && (std::isnan(v) || v > best)) at = i;
        }
        r.out[static_cast<size_t>((p * oh + oy) * ow + ox)] = x[static_cast<size_t>(at)];
        r.grad[static_cast<size_t>(at)] = static_cast<double>(oy * ow + ox + 1);
      }
  return r;
}

void check(DType dtype, int64_t h, int64_t w, bool with_nan) {
  SCOPED_TRACE(::testing::Message() << dtype_name(dtype) << " " << h << "x" << w << (with_nan ? " with NaN" : ""));
  const int64_t planes = 3;
  std::vector<double> x(static_cast<size_t>(planes * h * w));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>((i * 7919) % 13) - 6.0;  // many ties
  for (size_t i = 0; i < x.size(); i += 3) x[i] = std::max(x[i], 0.0);                      // ReLU-like zeros
  if (with_nan)
    for (size_t i = 5; i < x.size(); i += 37) x[i] = std::numeric_limits<double>::quiet_NaN();
  const Reference ref = naive_2x2(x, planes, h, w);

  Tensor input = from_vector(x, {1, planes, h, w}, dtype).requires_grad_();
  Tensor out = max_pool2d(input, {2, 2});
  ASSERT_EQ(out.shape(), (Shape{1, planes, h / 2, w / 2}));
  const std::vector<double> got = out.to_vector();
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(ref.out[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "output " << i;
    } else {
      EXPECT_EQ(got[i], ref.out[i]) << "output " << i;
    }
  }
  std::vector<double> g(got.size());
  for (size_t i = 0; i < g.size(); ++i) g[i] = static_cast<double>(i % static_cast<size_t>((h / 2) * (w / 2)) + 1);
  out.backward(from_vector(g, out.shape(), dtype));
  const std::vector<double> grad = input.grad().to_vector();
  for (size_t i = 0; i < grad.size(); ++i) EXPECT_EQ(grad[i], ref.grad[i]) << "input " << i;
}

TEST(MaxPool2x2, MatchesNaiveReference) {
  for (DType dtype : {kFloat32, kFloat64})
    for (auto [h, w] : {std::pair<int64_t, int64_t>{6, 6}, {28, 28}, {10, 10}, {29, 31}, {4, 34}, {14, 16}, {2, 2}})
      for (bool with_nan : {false, true}) check(dtype, h, w, with_nan);
}

}  // namespace
}  // namespace eta
