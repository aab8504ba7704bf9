// 2-D pooling over planes. Each (n, c) plane is independent, so planes are split across threads
// and backward passes never race. Max pooling recomputes each window's argmax in backward.
// Legend: planes P = N*C, each input plane H x W, output plane OH x OW.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/parallel.h"
#include "kernels/vec.h"

namespace eta::kernels {

struct PoolGeometry {
  int64_t h, w, kh, kw, sh, sw, ph, pw, oh, ow;

  // 2x2 windows with stride 2 and no padding: the max pool's vectorised path.
  bool two_by_two() const { return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0; }
};

// Runs body(p) for each of `planes` (N·C) planes, in parallel tasks of about 4096 outputs.
template <class F>
void for_planes(int64_t planes, const PoolGeometry& g, const F& body) {
  parallel_for(0, planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(g.oh * g.ow, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) body(p);
  });
}

// Which value a window keeps: the larger one, and a NaN over any number (NaN propagates, as in
// PyTorch). Written as a select so that loops over outputs vectorise.
template <class T>
inline T max_keep_nan(T a, T b) {
  return ((b > a) | (b != b)) ? b : a;
}

// One output row of a 2x2, stride-2 max pool over input rows r0 and r0 + w (NaN wins, as in
// PyTorch), ow >= kLanes<T, Bytes>. Written with explicit vectors: the auto-vectoriser leaves the
// stride-2 loads and selects scalar, and scalar branches mispredicted on every other window. The
// row ends with one overlapping vector (recomputing equal values).
template <class T, int Bytes>
inline void max_pool_2x2_row(const T* r0, int64_t w, int64_t ow, T* o) {
  using V = Vec<T, Bytes>;
  constexpr int64_t L = kLanes<T, Bytes>;
  const auto keep = [](V a, V b) -> V { return ((b > a) | (b != b)) ? b : a; };
  const T* r1 = r0 + w;
  for (int64_t ox = 0;; ox += L) {
    ox = std::min(ox, ow - L);
    const V top = keep(load_strided2<T, Bytes, 0>(r0 + 2 * ox), load_strided2<T, Bytes, 1>(r0 + 2 * ox));
    const V bottom = keep(load_strided2<T, Bytes, 0>(r1 + 2 * ox), load_strided2<T, Bytes, 1>(r1 + 2 * ox));
    store(o + ox, keep(top, bottom));
    if (ox == ow - L) break;
  }
}

// The adjoint of max_pool_2x2_row: the first of a, b, c, d (row-major) equal to the window's
// maximum m takes its gradient, or for a NaN maximum the first NaN: the element PyTorch's argmax
// picks. The windows tile the two rows, so every covered input element is written exactly once.
template <class T, int Bytes>
inline void max_pool_2x2_backward_row(const T* r0, int64_t w, int64_t ow, const T* m, const T* gout, T* d0) {
  using V = Vec<T, Bytes>;
  using M = Mask<T, Bytes>;
  constexpr int64_t L = kLanes<T, Bytes>;
  const T* r1 = r0 + w;
  T* d1 = d0 + w;
  const V zero{};
  for (int64_t ox = 0;; ox += L) {
    ox = std::min(ox, ow - L);
    const V mv = load<T, Bytes>(m + ox), gv = load<T, Bytes>(gout + ox);
    const V a = load_strided2<T, Bytes, 0>(r0 + 2 * ox), b = load_strided2<T, Bytes, 1>(r0 + 2 * ox);
    const V c = load_strided2<T, Bytes, 0>(r1 + 2 * ox);
    const M nan = mv != mv;
    const M ta = (a == mv) | (nan & (a != a));
    const M tb = ~ta & ((b == mv) | (nan & (b != b)));
    const M tc = ~(ta | tb) & ((c == mv) | (nan & (c != c)));
    const M td = ~(ta | tb | tc);
    store_interleaved<T, Bytes>(d0 + 2 * ox, ta ? gv : zero, tb ? gv : zero);
    store_interleaved<T, Bytes>(d1 + 2 * ox, tc ? gv : zero, td ? gv : zero);
    if (ox == ow - L) break;
  }
}

// Scalar versions for rows narrower than the narrowest vector (LeNet's second pool has 5).
template <class T>
inline void max_pool_2x2_row_scalar(const T* r0, int64_t w, int64_t ow, T* o) {
  const T* r1 = r0 + w;
  for (int64_t ox = 0; ox < ow; ++ox)
    o[ox] = max_keep_nan(max_keep_nan(r0[2 * ox], r0[2 * ox + 1]), max_keep_nan(r1[2 * ox], r1[2 * ox + 1]));
}

template <class T>
inline void max_pool_2x2_backward_row_scalar(const T* r0, int64_t w, int64_t ow, const T* m, const T* gout, T* d0) {
  const T* r1 = r0 + w;
  T* d1 = d0 + w;
  for (int64_t ox = 0; ox < ow; ++ox) {
    const T mv = m[ox], gv = gout[ox];
    const T v[4] = {r0[2 * ox], r0[2 * ox + 1], r1[2 * ox], r1[2 * ox + 1]};
    int at = 3;
    for (int k = 2; k >= 0; --k)
      if (v[k] == mv || (mv != mv && v[k] != v[k])) at = k;
    d0[2 * ox] = at == 0 ? gv : T(0);
    d0[2 * ox + 1] = at == 1 ? gv : T(0);
    d1[2 * ox] = at == 2 ? gv : T(0);
    d1[2 * ox + 1] = at == 3 ? gv : T(0);
  }
}

// The widest vector no longer than the row: kRowBytes, 16 bytes, or scalar.
template <class T>
inline void max_pool_2x2_rows(const T* in, int64_t w, int64_t oh, int64_t ow, T* o) {
  for (int64_t oy = 0; oy < oh; ++oy) {
    const T* r0 = in + 2 * oy * w;
    if (ow >= kLanes<T, kRowBytes>)
      max_pool_2x2_row<T, kRowBytes>(r0, w, ow, o + oy * ow);
    else if (ow >= kLanes<T, 16>)
      max_pool_2x2_row<T, 16>(r0, w, ow, o + oy * ow);
    else
      max_pool_2x2_row_scalar(r0, w, ow, o + oy * ow);
  }
}

template <class T>
inline void max_pool_2x2_backward_rows(const T* in, int64_t w, int64_t oh, int64_t ow, const T* m, const T* gout, T* dst) {
  for (int64_t oy = 0; oy < oh; ++oy) {
    const T* r0 = in + 2 * oy * w;
    T* d0 = dst + 2 * oy * w;
    if (ow >= kLanes<T, kRowBytes>)
      max_pool_2x2_backward_row<T, kRowBytes>(r0, w, ow, m + oy * ow, gout + oy * ow, d0);
    else if (ow >= kLanes<T, 16>)
      max_pool_2x2_backward_row<T, 16>(r0, w, ow, m + oy * ow, gout + oy * ow, d0);
    else
      max_pool_2x2_backward_row_scalar(r0, w, ow, m + oy * ow, gout + oy * ow, d0);
  }
}

// Forward computes values only; the backward pass finds each window's first maximum again by
// comparing with the output. That keeps the forward loop free of index bookkeeping (the 2x2
// case vectorises) and saves storing an index per output.
template <class T>
void max_pool_forward(const T* x, int64_t planes, const PoolGeometry& geometry, T* out) {
  const PoolGeometry g = geometry;  // local copy: stores through `out` must not force reloads
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  for_planes(planes, g, [&](int64_t p) {
    const T* in = x + p * in_plane;
    T* o = out + p * out_plane;
    if (g.two_by_two()) {
      max_pool_2x2_rows(in, g.w, g.oh, g.ow, o);
      return;
    }
    for (int64_t oy = 0; oy < g.oh; ++oy) {
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
  });
}

// The first position of window (oy, ox) in plane `in` equal to its maximum m (the first NaN when m
// is NaN): the element PyTorch's argmax picks.
template <class T>
int64_t first_max_at(const T* in, const PoolGeometry& g, int64_t oy, int64_t ox, T m) {
  const int64_t y0 = std::max<int64_t>(oy * g.sh - g.ph, 0), y1 = std::min(oy * g.sh - g.ph + g.kh, g.h);
  const int64_t x0 = std::max<int64_t>(ox * g.sw - g.pw, 0), x1 = std::min(ox * g.sw - g.pw + g.kw, g.w);
  const bool nan = m != m;
  for (int64_t iy = y0; iy < y1; ++iy)
    for (int64_t ix = x0; ix < x1; ++ix) {
      const T v = in[iy * g.w + ix];
      if (v == m || (nan && v != v)) return iy * g.w + ix;
    }
  return y0 * g.w + x0;
}

// Routes each output's gradient to the first input of its window equal to the output.
template <class T>
void max_pool_backward(const T* x, const T* out, const T* gout, int64_t planes, const PoolGeometry& geometry, T* gx) {
  const PoolGeometry g = geometry;
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  for_planes(planes, g, [&](int64_t p) {
    const T* in = x + p * in_plane;
    T* dst = gx + p * in_plane;
    // With even sizes, 2x2 windows tile the input and write every element: no zeroing needed.
    if (!g.two_by_two() || g.h != 2 * g.oh || g.w != 2 * g.ow)
      for (int64_t i = 0; i < in_plane; ++i) dst[i] = T(0);
    if (g.two_by_two()) {
      max_pool_2x2_backward_rows(in, g.w, g.oh, g.ow, out + p * out_plane, gout + p * out_plane, dst);
      return;
    }
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        dst[first_max_at(in, g, oy, ox, out[p * out_plane + oy * g.ow + ox])] += gout[p * out_plane + oy * g.ow + ox];
  });
}

// The in-plane position of each output's first maximum (the element max_pool_backward routes to),
// for the gather that max pooling's create_graph backward is built from.
template <class T>
void max_pool_argmax(const T* x, const T* out, int64_t planes, const PoolGeometry& g, int64_t* at) {
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  for_planes(planes, g, [&](int64_t p) {
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        at[p * out_plane + oy * g.ow + ox] = first_max_at(x + p * in_plane, g, oy, ox, out[p * out_plane + oy * g.ow + ox]);
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
  for_planes(planes, g, [&](int64_t p) {
    const T* in = x + p * in_plane;
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        T acc = 0;
        for (int64_t iy = std::max<int64_t>(oy * g.sh - g.ph, 0); iy < std::min(oy * g.sh - g.ph + g.kh, g.h); ++iy)
          for (int64_t ix = std::max<int64_t>(ox * g.sw - g.pw, 0); ix < std::min(ox * g.sw - g.pw + g.kw, g.w); ++ix)
            acc += in[iy * g.w + ix];
        out[p * out_plane + oy * g.ow + ox] = acc / static_cast<T>(avg_pool_divisor<T>(g, oy, ox, count_include_pad));
      }
  });
}

template <class T>
void avg_pool_backward(const T* gout, int64_t planes, const PoolGeometry& g, bool count_include_pad, T* gx) {
  const int64_t in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  for_planes(planes, g, [&](int64_t p) {
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
  });
}

}  // namespace eta::kernels
