// The conv2d driver: stride-1 convolutions on images that fit L2 take the direct kernel
// (direct_conv.h); the rest im2col + GEMM: the batch is processed in chunks of images whose
// unfolded columns fit a few MiB: im2col of the chunk (parallel over images), then one GEMM per
// group (threaded by BLAS). Weight gradients accumulate over chunks in order, so results repeat
// bit for bit for a given thread count. ops/conv.cpp checks arguments and records the backward.
// Legend: N batch, C in channels, OC out channels, G groups, K = C/G*KH*KW rows of a col
// buffer, L = OH*OW output positions per image, n images in a chunk; x (N, C, H, W),
// w (OC, C/G, KH, KW), out/gout (N, OC, OH, OW).
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels/blas.h"
#include "kernels/conv_weight_grad.h"
#include "kernels/direct_conv.h"
#include "kernels/im2col.h"
#include "kernels/parallel.h"
#include "kernels/scratch.h"

namespace eta::kernels {

struct ConvShape {
  int64_t n, c, oc, groups;
  ConvGeometry geo;  // per group: geo.c = C / groups
  int64_t k() const { return geo.c * geo.kh * geo.kw; }
  int64_t l() const { return geo.oh * geo.ow; }
  // The direct kernel (kernels/direct_conv.h) handles stride 1, dilation 1, one group, and beat
  // im2col + GEMM 1.3-2x at every LeNet-5 and SmallCNN shape (bench/nn_bench.cpp). It rereads the
  // whole padded image once per block of output channels, so it is kept to images that sit in
  // L2 (here 1 MiB); bigger ones go through im2col + GEMM and BLAS's cache blocking.
  bool direct(size_t elem) const {
    const int64_t padded = c * (geo.h + 2 * geo.ph) * (geo.w + 2 * geo.pw);
    return groups == 1 && geo.sh == 1 && geo.sw == 1 && geo.dh == 1 && geo.dw == 1 &&
           static_cast<size_t>(padded) * elem <= (size_t{1} << 20);
  }
  // Images per chunk: keep the col buffer near 2M elements (8 MiB of floats).
  int64_t chunk() const { return std::clamp<int64_t>((int64_t{1} << 21) / std::max<int64_t>(1, groups * k() * l()), 1, n); }
};

template <class T>
void im2col_conv_forward(const ConvShape& s, const T* x, const T* w, const T* b, T* out) {
  const int64_t K = s.k(), L = s.l(), G = s.groups, ocg = s.oc / G;
  const int64_t img = s.c * s.geo.h * s.geo.w;
  T* col = scratch<T>(0, static_cast<size_t>(G * K * s.chunk() * L));
  T* res = scratch<T>(1, static_cast<size_t>(s.oc * s.chunk() * L));
  for (int64_t n0 = 0; n0 < s.n; n0 += s.chunk()) {
    const int64_t nc = std::min(s.chunk(), s.n - n0), ld = nc * L;
    parallel_for(0, nc * G, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t j = i / G, g = i % G;
        im2col(x + (n0 + j) * img + g * s.geo.c * s.geo.h * s.geo.w, s.geo, col + g * K * ld + j * L, ld);
      }
    });
    for (int64_t g = 0; g < G; ++g)
      gemm(false, false, ocg, ld, K, T(1), w + g * ocg * K, K, col + g * K * ld, ld, T(0),
                    res + g * ocg * ld, ld);
    // res is (OC, n*L); out wants (n, OC, L), plus the bias.
    parallel_for(0, nc * s.oc, std::max<int64_t>(1, 16384 / L), [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t j = i / s.oc, o = i % s.oc;
        const T bias = b ? b[o] : T(0);
        const T* src = res + o * ld + j * L;
        T* dst = out + ((n0 + j) * s.oc + o) * L;
        for (int64_t p = 0; p < L; ++p) dst[p] = src[p] + bias;
      }
    });
  }
}

template <class T>
void im2col_conv_backward(const ConvShape& s, const T* x, const T* w, const T* gout, T* gx, T* gw, T* gb) {
  const int64_t K = s.k(), L = s.l(), G = s.groups, ocg = s.oc / G;
  const int64_t img = s.c * s.geo.h * s.geo.w, gimg = s.geo.c * s.geo.h * s.geo.w;
  T* col = scratch<T>(0, static_cast<size_t>(G * K * s.chunk() * L));
  T* gout_cols = scratch<T>(1, static_cast<size_t>(s.oc * s.chunk() * L));
  if (gw) std::fill(gw, gw + s.oc * K, T(0));
  if (gb) std::fill(gb, gb + s.oc, T(0));
  for (int64_t n0 = 0; n0 < s.n; n0 += s.chunk()) {
    const int64_t nc = std::min(s.chunk(), s.n - n0), ld = nc * L;
    // gout_cols (OC, n*L) from gout (n, OC, L).
    parallel_for(0, nc * s.oc, std::max<int64_t>(1, 16384 / L), [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t j = i / s.oc, o = i % s.oc;
        std::copy_n(gout + ((n0 + j) * s.oc + o) * L, L, gout_cols + o * ld + j * L);
      }
    });
    if (gb)
      for (int64_t o = 0; o < s.oc; ++o) {
        double acc = 0;
        const T* p = gout_cols + o * ld;
        for (int64_t i = 0; i < ld; ++i) acc += p[i];
        gb[o] += static_cast<T>(acc);
      }
    if (gw) {
      parallel_for(0, nc * G, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t i = b0; i < b1; ++i) {
          const int64_t j = i / G, g = i % G;
          im2col(x + (n0 + j) * img + g * gimg, s.geo, col + g * K * ld + j * L, ld);
        }
      });
      // gw[g] (OCg, K) += gout_cols[g] (OCg, n*L) @ col[g]^T (n*L, K)
      for (int64_t g = 0; g < G; ++g)
        gemm(false, true, ocg, K, ld, T(1), gout_cols + g * ocg * ld, ld, col + g * K * ld, ld, T(1),
                      gw + g * ocg * K, K);
    }
    if (gx) {
      // col[g] (K, n*L) = w[g]^T (K, OCg) @ gout_cols[g] (OCg, n*L), then folded back into images.
      for (int64_t g = 0; g < G; ++g)
        gemm(true, false, K, ld, ocg, T(1), w + g * ocg * K, K, gout_cols + g * ocg * ld, ld, T(0),
                      col + g * K * ld, ld);
      parallel_for(0, nc * G, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t i = b0; i < b1; ++i) {
          const int64_t j = i / G, g = i % G;
          T* dst = gx + (n0 + j) * img + g * gimg;
          std::fill(dst, dst + gimg, T(0));
          col2im(col + g * K * ld + j * L, ld, s.geo, dst);
        }
      });
    }
  }
}

// out = conv(x, w) + b (b may be null), by whichever kernel suits the shape.
template <class T>
void conv_forward(const ConvShape& s, const T* x, const T* w, const T* b, T* out) {
  if (s.direct(sizeof(T)))
    direct_conv_forward(x, w, b, s.n, s.oc, s.geo, out);
  else
    im2col_conv_forward<T>(s, x, w, b, out);
}

// The gradients that are not null: gx (N, C, H, W), gw (OC, C/G, KH, KW), gb (OC).
template <class T>
void conv_backward(const ConvShape& s, const T* x, const T* w, const T* gout, T* gx, T* gw, T* gb) {
  if (s.direct(sizeof(T))) {
    if ((gw || gb) && channel_vector_weight_grad_fits<T>(s.oc, s.k()))
      channel_vector_conv_backward_weight(x, gout, s.n, s.oc, s.geo, gw, gb);
    else if (gw || gb)
      direct_conv_backward_weight(x, gout, s.n, s.oc, s.geo, gw, gb);
    if (gx) direct_conv_backward_input(w, gout, s.n, s.oc, s.geo, gx);
  } else {
    im2col_conv_backward<T>(s, x, w, gout, gx, gw, gb);
  }
}

}  // namespace eta::kernels
