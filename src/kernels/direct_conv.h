// Direct 2-D convolution for stride 1, dilation 1, one group and few input channels (C*KH*KW
// small, e.g. LeNet's first layer): im2col would copy every input pixel KH*KW times only to feed a
// GEMM with a tiny inner dimension, while here each kernel tap is one vectorised pass.
// The trick that keeps those passes long: outputs live on a "wide" grid with the padded input's
// row length Wp, so output pixel p reads padded input p + ki*Wp + kj and one loop covers a whole
// plane; the Wp - OW extra columns per row are junk and are dropped (or kept zero) at the end.
// Legend: x (N, C, H, W), w (OC, C, KH, KW), out/gout (N, OC, OH, OW); Hp = H + 2*PH, Wp = W + 2*PW.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/im2col.h"
#include "kernels/parallel.h"

namespace eta::kernels {

struct WideGrid {
  int64_t hp, wp, wide;  // padded height/width, output plane size on the wide grid (OH * Wp)
  int64_t padded;        // padded image size per channel, plus slack for the junk columns' reads
  explicit WideGrid(const ConvGeometry& g)
      : hp(g.h + 2 * g.ph), wp(g.w + 2 * g.pw), wide(g.oh * (g.w + 2 * g.pw)),
        padded((g.h + 2 * g.ph) * (g.w + 2 * g.pw) + g.kw) {}
};

// One zero-padded image (C channels of `padded` elements) from x (C, H, W).
template <class T>
void pad_image(const T* x, const ConvGeometry& g, const WideGrid& wg, T* xp) {
  std::fill(xp, xp + g.c * wg.padded, T(0));
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t y = 0; y < g.h; ++y)
      std::memcpy(xp + c * wg.padded + (y + g.ph) * wg.wp + g.pw, x + (c * g.h + y) * g.w,
                  sizeof(T) * static_cast<size_t>(g.w));
}

// dst[p] += a * src[p] for p < n: the one loop every tap runs.
template <class T>
inline void axpy(int64_t n, T a, const T* __restrict src, T* __restrict dst) {
  for (int64_t p = 0; p < n; ++p) dst[p] += a * src[p];
}

// sum of a[p] * b[p] in 16 independent lanes (vectorises; fixed order, so deterministic).
template <class T>
inline T dot(int64_t n, const T* __restrict a, const T* __restrict b) {
  T lanes[16] = {};
  int64_t p = 0;
  for (; p + 16 <= n; p += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += a[p + l] * b[p + l];
  for (; p < n; ++p) lanes[0] += a[p] * b[p];
  T s = 0;
  for (T v : lanes) s += v;
  return s;
}

template <class T>
void direct_conv_forward(const T* x, const T* w, const T* b, int64_t n, int64_t oc, const ConvGeometry& geometry, T* out) {
  const ConvGeometry g = geometry;
  const WideGrid wg(g);
  parallel_for(0, n, 1, [&](int64_t n0, int64_t n1) {
    std::vector<T> xp(static_cast<size_t>(g.c * wg.padded)), acc(static_cast<size_t>(wg.wide));
    for (int64_t i = n0; i < n1; ++i) {
      pad_image(x + i * g.c * g.h * g.w, g, wg, xp.data());
      for (int64_t o = 0; o < oc; ++o) {
        std::fill(acc.begin(), acc.end(), b ? b[o] : T(0));
        for (int64_t c = 0; c < g.c; ++c)
          for (int64_t ki = 0; ki < g.kh; ++ki)
            for (int64_t kj = 0; kj < g.kw; ++kj)
              axpy(wg.wide, w[((o * g.c + c) * g.kh + ki) * g.kw + kj], xp.data() + c * wg.padded + ki * wg.wp + kj,
                   acc.data());
        T* dst = out + (i * oc + o) * g.oh * g.ow;
        for (int64_t oy = 0; oy < g.oh; ++oy)
          std::memcpy(dst + oy * g.ow, acc.data() + oy * wg.wp, sizeof(T) * static_cast<size_t>(g.ow));
      }
    }
  });
}

// Copies an output-gradient plane onto the wide grid, junk columns zero (so they add nothing).
template <class T>
void widen(const T* plane, const ConvGeometry& g, const WideGrid& wg, T* wide) {
  std::fill(wide, wide + wg.wide, T(0));
  for (int64_t oy = 0; oy < g.oh; ++oy)
    std::memcpy(wide + oy * wg.wp, plane + oy * g.ow, sizeof(T) * static_cast<size_t>(g.ow));
}

// Weight (and bias) gradients. Each thread sums its images into its own buffer; the buffers are
// then added in thread order, so results repeat bit for bit for a given thread count.
template <class T>
void direct_conv_backward_weight(const T* x, const T* gout, int64_t n, int64_t oc, const ConvGeometry& geometry, T* gw,
                                 T* gb) {
  const ConvGeometry g = geometry;
  const WideGrid wg(g);
  const int64_t plane = g.oh * g.ow, wsize = oc * g.c * g.kh * g.kw;
  const int threads = std::max(1, std::min<int>(omp_in_parallel() ? 1 : omp_get_max_threads(), static_cast<int>(n)));
  std::vector<std::vector<T>> partial(static_cast<size_t>(threads), std::vector<T>(static_cast<size_t>(wsize + oc), T(0)));
  const int64_t chunk = (n + threads - 1) / threads;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int t = 0; t < threads; ++t) {
    std::vector<T> xp(static_cast<size_t>(g.c * wg.padded)), gwide(static_cast<size_t>(wg.wide));
    T* acc = partial[static_cast<size_t>(t)].data();
    for (int64_t i = t * chunk; i < std::min(n, (t + 1) * chunk); ++i) {
      pad_image(x + i * g.c * g.h * g.w, g, wg, xp.data());
      for (int64_t o = 0; o < oc; ++o) {
        widen(gout + (i * oc + o) * plane, g, wg, gwide.data());
        T bsum = 0;
        {
          T lanes[16] = {};
          int64_t p = 0;
          for (; p + 16 <= wg.wide; p += 16)
            for (int l = 0; l < 16; ++l) lanes[l] += gwide[static_cast<size_t>(p + l)];
          for (; p < wg.wide; ++p) lanes[0] += gwide[static_cast<size_t>(p)];
          for (T v : lanes) bsum += v;
        }
        acc[wsize + o] += bsum;
        for (int64_t c = 0; c < g.c; ++c)
          for (int64_t ki = 0; ki < g.kh; ++ki)
            for (int64_t kj = 0; kj < g.kw; ++kj)
              acc[((o * g.c + c) * g.kh + ki) * g.kw + kj] +=
                  dot(wg.wide, gwide.data(), xp.data() + c * wg.padded + ki * wg.wp + kj);
      }
    }
  }
  if (gw) std::fill(gw, gw + wsize, T(0));
  if (gb) std::fill(gb, gb + oc, T(0));
  for (int t = 0; t < threads; ++t) {
    const T* acc = partial[static_cast<size_t>(t)].data();
    if (gw)
      for (int64_t k = 0; k < wsize; ++k) gw[k] += acc[k];
    if (gb)
      for (int64_t o = 0; o < oc; ++o) gb[o] += acc[wsize + o];
  }
}

// Input gradient: every output gradient spreads back over its window (a "full" convolution).
template <class T>
void direct_conv_backward_input(const T* w, const T* gout, int64_t n, int64_t oc, const ConvGeometry& geometry, T* gx) {
  const ConvGeometry g = geometry;
  const WideGrid wg(g);
  const int64_t plane = g.oh * g.ow;
  parallel_for(0, n, 1, [&](int64_t n0, int64_t n1) {
    std::vector<T> gxp(static_cast<size_t>(g.c * wg.padded)), gwide(static_cast<size_t>(wg.wide));
    for (int64_t i = n0; i < n1; ++i) {
      std::fill(gxp.begin(), gxp.end(), T(0));
      for (int64_t o = 0; o < oc; ++o) {
        widen(gout + (i * oc + o) * plane, g, wg, gwide.data());
        for (int64_t c = 0; c < g.c; ++c)
          for (int64_t ki = 0; ki < g.kh; ++ki)
            for (int64_t kj = 0; kj < g.kw; ++kj)
              axpy(wg.wide, w[((o * g.c + c) * g.kh + ki) * g.kw + kj], gwide.data(),
                   gxp.data() + c * wg.padded + ki * wg.wp + kj);
      }
      T* dst = gx + i * g.c * g.h * g.w;
      for (int64_t c = 0; c < g.c; ++c)
        for (int64_t y = 0; y < g.h; ++y)
          std::memcpy(dst + (c * g.h + y) * g.w, gxp.data() + c * wg.padded + (y + g.ph) * wg.wp + g.pw,
                      sizeof(T) * static_cast<size_t>(g.w));
    }
  });
}

}  // namespace eta::kernels
