// im2col / col2im for 2-D convolution: unfolds one image's receptive fields into the columns of
// a matrix so that a convolution becomes one GEMM. Zero padding is written as zeros, not read.
// Legend: x is one image (C, H, W); col has C*KH*KW rows and OH*OW columns, rows `ld` apart
// (ld > OH*OW lets several images share one col buffer side by side).
#pragma once
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

template <class T>
void im2col(const T* x, const ConvGeometry& g, T* col, int64_t ld) {
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        T* row = col + ((c * g.kh + ki) * g.kw + kj) * ld;
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          T* out = row + oy * g.ow;
          const int64_t iy = oy * g.sh - g.ph + ki * g.dh;
          if (iy < 0 || iy >= g.h) {
            std::memset(out, 0, sizeof(T) * static_cast<size_t>(g.ow));
            continue;
          }
          const T* in = x + (c * g.h + iy) * g.w;
          const int64_t x0 = -g.pw + kj * g.dw;  // input column of output column 0
          for (int64_t ox = 0; ox < g.ow; ++ox) {
            const int64_t ix = x0 + ox * g.sw;
            out[ox] = (ix >= 0 && ix < g.w) ? in[ix] : T(0);
          }
        }
      }
}

// Adds the columns back into image x (which the caller zeroed): the adjoint of im2col.
template <class T>
void col2im(const T* col, int64_t ld, const ConvGeometry& g, T* x) {
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const T* row = col + ((c * g.kh + ki) * g.kw + kj) * ld;
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const int64_t iy = oy * g.sh - g.ph + ki * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          T* out = x + (c * g.h + iy) * g.w;
          const T* in = row + oy * g.ow;
          const int64_t x0 = -g.pw + kj * g.dw;
          for (int64_t ox = 0; ox < g.ow; ++ox) {
            const int64_t ix = x0 + ox * g.sw;
            if (ix >= 0 && ix < g.w) out[ix] += in[ox];
          }
        }
      }
}

}  // namespace eta::kernels
