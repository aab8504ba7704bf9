// 2-D pooling over planes. Each (n, c) plane is independent, so planes are split across threads
// and backward passes never race. Max pooling saves the argmax (flat index within the plane).
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

template <class T>
void max_pool_forward(const T* x, int64_t planes, const PoolGeometry& g, T* out, int64_t* argmax) {
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = x + p * in_plane;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          T best = -std::numeric_limits<T>::infinity();
          int64_t best_i = -1;
          for (int64_t ky = 0; ky < g.kh; ++ky) {
            const int64_t iy = oy * g.sh - g.ph + ky;
            if (iy < 0 || iy >= g.h) continue;
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t ix = ox * g.sw - g.pw + kx;
              if (ix < 0 || ix >= g.w) continue;
              const T v = in[iy * g.w + ix];
              if (best_i < 0 || v > best || std::isnan(v)) {  // first maximum wins; NaN propagates
                best = v;
                best_i = iy * g.w + ix;
                if (std::isnan(v)) break;
              }
            }
          }
          out[p * out_plane + oy * g.ow + ox] = best;
          argmax[p * out_plane + oy * g.ow + ox] = best_i;
        }
    }
  });
}

template <class T>
void max_pool_backward(const T* gout, const int64_t* argmax, int64_t planes, const PoolGeometry& g, T* gx) {
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* dst = gx + p * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) dst[i] = T(0);
      for (int64_t o = 0; o < out_plane; ++o) dst[argmax[p * out_plane + o]] += gout[p * out_plane + o];
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
