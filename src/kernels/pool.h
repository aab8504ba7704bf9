// 2-D pooling over planes. Each (n, c) plane is independent, so planes are split across threads
// and backward passes never race. Max pooling recomputes each window's argmax in backward.
// Legend: planes P = N*C, each input plane H x W, output plane OH x OW.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/parallel.h"

namespace eta::kernels {

struct PoolGeometry {
  int64_t h, w, kh, kw, sh, sw, ph, pw, oh, ow;
};

// Which value a window keeps: the larger one, and a NaN over any number (NaN propagates, as in
// PyTorch). Written as a select so that loops over outputs vectorise.
template <class T>
inline T max_keep_nan(T a, T b) {
  return (b > a) | (b != b) ? b : a;
}

// Forward computes values only; the backward pass finds each window's first maximum again by
// comparing with the output. That keeps the forward loop free of index bookkeeping (the 2x2
// case vectorises) and saves storing an index per output.
template <class T>
void max_pool_forward(const T* x, int64_t planes, const PoolGeometry& geometry, T* out) {
  const PoolGeometry g = geometry;  // local copy: stores through `out` must not force reloads
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  const bool two_by_two = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0;
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = x + p * in_plane;
      T* o = out + p * out_plane;
      // NaN inputs are rare; a vectorised scan lets NaN-free planes use plain maxima.
      bool has_nan = false;
      for (int64_t i = 0; i < in_plane; ++i) has_nan |= in[i] != in[i];
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        if (two_by_two && !has_nan) {  // plain maxima: one instruction each
          const T* r0 = in + 2 * oy * g.w;
          const T* r1 = r0 + g.w;
          T* orow = o + oy * g.ow;
          for (int64_t ox = 0; ox < g.ow; ++ox) {
            const T a = std::max(r0[2 * ox], r0[2 * ox + 1]), b = std::max(r1[2 * ox], r1[2 * ox + 1]);
            orow[ox] = std::max(a, b);
          }
          continue;
        }
        // Window rows clamped to the image; padding never wins (it acts as -inf).
        const int64_t y0 = std::max<int64_t>(oy * g.sh - g.ph, 0), y1 = std::min(oy * g.sh - g.ph + g.kh, g.h);
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const int64_t x0 = std::max<int64_t>(ox * g.sw - g.pw, 0), x1 = std::min(ox * g.sw - g.pw + g.kw, g.w);
          T best = in[y0 * g.w + x0];
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) best = max_keep_nan(best, in[iy * g.w + ix]);
          o[oy * g.ow + ox] = best;
        }
      }
    }
  });
}

// Routes each output's gradient to the first input of its window equal to the output (a NaN
// output to the first NaN): the element PyTorch's argmax picks.
template <class T>
void max_pool_backward(const T* x, const T* out, const T* gout, int64_t planes, const PoolGeometry& geometry, T* gx) {
  const PoolGeometry g = geometry;
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  const bool two_by_two = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0;
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = x + p * in_plane;
      T* dst = gx + p * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) dst[i] = T(0);
      if (two_by_two) {
        // Windows tile the input, so every input gets exactly one value: no search, no branches.
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const T* r0 = in + 2 * oy * g.w;
          const T* r1 = r0 + g.w;
          T* d0 = dst + 2 * oy * g.w;
          T* d1 = d0 + g.w;
          const T* m = out + p * out_plane + oy * g.ow;
          const T* gr = gout + p * out_plane + oy * g.ow;
          for (int64_t ox = 0; ox < g.ow; ++ox) {
            const T mv = m[ox], gv = gr[ox];
            const T a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox];
            // The first of a, b, c, d (row-major) that equals the maximum takes the gradient; for
            // a NaN maximum, the first NaN (the rare case, kept off the common path).
            bool ta = a == mv, tb = b == mv, tc = c == mv;
            if (mv != mv) ta = a != a, tb = b != b, tc = c != c;
            tb = tb & !ta;
            tc = tc & !(ta | tb);
            const bool td = !(ta | tb | tc);
            d0[2 * ox] = ta ? gv : T(0);
            d0[2 * ox + 1] = tb ? gv : T(0);
            d1[2 * ox] = tc ? gv : T(0);
            d1[2 * ox + 1] = td ? gv : T(0);
          }
        }
        continue;
      }
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        const int64_t y0 = std::max<int64_t>(oy * g.sh - g.ph, 0), y1 = std::min(oy * g.sh - g.ph + g.kh, g.h);
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const int64_t x0 = std::max<int64_t>(ox * g.sw - g.pw, 0), x1 = std::min(ox * g.sw - g.pw + g.kw, g.w);
          const T m = out[p * out_plane + oy * g.ow + ox];
          const bool nan = m != m;
          int64_t at = y0 * g.w + x0;
          for (int64_t iy = y0, found = 0; iy < y1 && !found; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              const T v = in[iy * g.w + ix];
              if (v == m || (nan && v != v)) {
                at = iy * g.w + ix;
                found = 1;
                break;
              }
            }
          dst[at] += gout[p * out_plane + oy * g.ow + ox];
        }
      }
    }
  });
}

// Average pooling; the divisor is the full window (count_include_pad) or only its in-bounds part.
template <class T>
int64_t avg_pool_divisor(const PoolGeometry& g, int64_t oy, int64_t ox, bool count_include_pad) {
  const int64_t y0 = oy * g.sh - g.ph, x0 = ox * g.sw - g.pw;
  const int64_t y1 = std::min(y0 + g.kh, g.h + g.ph), x1 = std::min(x0 + g.kw, g.w + g.pw);
  if (count_include_pad) return (y1 - y0) * (x1 - x0);
  return (std::min(y1, g.h) - std::max<int64_t>(y0, 0)) * (std::min(x1, g.w) - std::max<int64_t>(x0, 0));
}

template <class T>
void avg_pool_forward(const T* x, int64_t planes, const PoolGeometry& g, bool count_include_pad, T* out) {
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = x + p * in_plane;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          T acc = 0;
          for (int64_t iy = std::max<int64_t>(oy * g.sh - g.ph, 0); iy < std::min(oy * g.sh - g.ph + g.kh, g.h); ++iy)
            for (int64_t ix = std::max<int64_t>(ox * g.sw - g.pw, 0); ix < std::min(ox * g.sw - g.pw + g.kw, g.w); ++ix)
              acc += in[iy * g.w + ix];
          out[p * out_plane + oy * g.ow + ox] = acc / static_cast<T>(avg_pool_divisor<T>(g, oy, ox, count_include_pad));
        }
    }
  });
}

template <class T>
void avg_pool_backward(const T* gout, int64_t planes, const PoolGeometry& g, bool count_include_pad, T* gx) {
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* dst = gx + p * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) dst[i] = T(0);
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const T share = gout[p * out_plane + oy * g.ow + ox] /
                          static_cast<T>(avg_pool_divisor<T>(g, oy, ox, count_include_pad));
          for (int64_t iy = std::max<int64_t>(oy * g.sh - g.ph, 0); iy < std::min(oy * g.sh - g.ph + g.kh, g.h); ++iy)
            for (int64_t ix = std::max<int64_t>(ox * g.sw - g.pw, 0); ix < std::min(ox * g.sw - g.pw + g.kw, g.w); ++ix)
              dst[iy * g.w + ix] += share;
        }
    }
  });
}

}  // namespace eta::kernels
