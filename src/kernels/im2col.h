// im2col / col2im for 2-D convolution: unfolds one image's receptive fields into the columns of
// a matrix so that a convolution becomes one GEMM. Zero padding is written as zeros, not read.
// Legend: x is one image (C, H, W); col has C*KH*KW rows and OH*OW columns, rows `ld` apart
// (ld > OH*OW lets several images share one col buffer side by side).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace eta::kernels {

struct ConvGeometry {
  int64_t c, h, w;       // input channels (of this group), height, width
  int64_t kh, kw;        // kernel
  int64_t sh, sw;        // stride
  int64_t ph, pw;        // padding
  int64_t dh, dw;        // dilation
  int64_t oh, ow;        // output size
};

// Output columns [lo, hi) whose input column x0 + ox*sw falls inside [0, w): everything else
// is padding. Computed once per kernel column so the copy loops carry no bounds checks.
inline void valid_columns(int64_t x0, int64_t sw, int64_t w, int64_t ow, int64_t& lo, int64_t& hi) {
  lo = x0 >= 0 ? 0 : (-x0 + sw - 1) / sw;
  hi = x0 >= w ? 0 : std::min<int64_t>(ow, (w - 1 - x0) / sw + 1);
  if (hi < lo) hi = lo;
}

template <class T>
void im2col(const T* x, const ConvGeometry& geometry, T* col, int64_t ld) {
  const ConvGeometry g = geometry;  // local copy: stores through col must not force reloads
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        T* row = col + ((c * g.kh + ki) * g.kw + kj) * ld;
        const int64_t x0 = -g.pw + kj * g.dw;  // input column of output column 0
        int64_t lo, hi;
        valid_columns(x0, g.sw, g.w, g.ow, lo, hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          T* out = row + oy * g.ow;
          const int64_t iy = oy * g.sh - g.ph + ki * g.dh;
          if (iy < 0 || iy >= g.h) {
            std::memset(out, 0, sizeof(T) * static_cast<size_t>(g.ow));
            continue;
          }
          const T* in = x + (c * g.h + iy) * g.w + x0;
          for (int64_t ox = 0; ox < lo; ++ox) out[ox] = T(0);
          if (g.sw == 1) {
            std::memcpy(out + lo, in + lo, sizeof(T) * static_cast<size_t>(hi - lo));
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) out[ox] = in[ox * g.sw];
          }
          for (int64_t ox = hi; ox < g.ow; ++ox) out[ox] = T(0);
        }
      }
}

// Adds the columns back into image x (which the caller zeroed): the adjoint of im2col.
template <class T>
void col2im(const T* col, int64_t ld, const ConvGeometry& geometry, T* x) {
  const ConvGeometry g = geometry;
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const T* row = col + ((c * g.kh + ki) * g.kw + kj) * ld;
        const int64_t x0 = -g.pw + kj * g.dw;
        int64_t lo, hi;
        valid_columns(x0, g.sw, g.w, g.ow, lo, hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const int64_t iy = oy * g.sh - g.ph + ki * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          T* out = x + (c * g.h + iy) * g.w + x0;
          const T* in = row + oy * g.ow;
          if (g.sw == 1) {
            for (int64_t ox = lo; ox < hi; ++ox) out[ox] += in[ox];
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) out[ox * g.sw] += in[ox];
          }
        }
      }
}

}  // namespace eta::kernels
