// Weight gradient of a stride-1 convolution vectorised over output channels, for layers whose
// output channels fill whole vectors (32 -> 32, 32 -> 64 ...). It is a GEMM over positions,
// gw[o][t] = sum_p g[p][o] * xp[p + off[t]], with the im2col matrix read implicitly: each
// position loads OV vectors of g (aligned, channels contiguous after a transpose) and multiplies
// them by TB scalars of the padded input, broadcast straight into the FMAs. The kernel it
// replaces for these shapes (direct_conv.h, vectorised over positions) made one unaligned load
// of the input per FMA pair, half of them split across cache lines, and summed the junk columns
// of the wide grid; this one reads only real positions and needs no horizontal sums.
// Legend as in direct_conv.h; gT is one image's gradient transposed to (OH*OW, OC).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/direct_conv.h"

namespace eta::kernels {

// Taps per register block for OV = 2 and OV = 1 vectors of channels: TB * OV accumulators, OV
// gradient vectors, within the register file.
#if defined(__AVX512F__)
inline constexpr int kChanTapBlock2 = 12, kChanTapBlock1 = 24;  // 24 + 2 (25 + 1) of 32 registers
#else
inline constexpr int kChanTapBlock2 = 6, kChanTapBlock1 = 12;  // 12 + 2 (12 + 1) of 16 registers
#endif

// Output channels must fill whole vectors; and the transpose of the gradient, about a cycle per
// element, must be small beside the 2 * taps flops each element takes part in: a 1 -> 32 3x3
// layer (9 taps) ran 3.4x slower here than with direct_conv.h's kernel, 6 -> 16 5x5 (150) 1.2x faster.
template <class T>
bool channel_vector_weight_grad_fits(int64_t oc, int64_t taps) {
  return oc % kLanes<T, kWideBytes> == 0 && taps >= 64;
}

// gT (plane, oc) = the transpose of one image's gradient g (oc, plane), in 16 x 16 tiles so that
// both sides stay in L1 and the bias sums (by vectors of channels) on the way.
template <class T>
void transpose_gradient(const T* g, int64_t oc, int64_t plane, T* gT, V<T>* bias) {
  constexpr int64_t L = kLanes<T, kWideBytes>, kTile = 16;
  for (int64_t q0 = 0; q0 < plane; q0 += kTile) {
    const int64_t q1 = std::min(plane, q0 + kTile);
    for (int64_t o0 = 0; o0 < oc; o0 += kTile)
      for (int64_t o = o0; o < std::min(oc, o0 + kTile); ++o)
        for (int64_t q = q0; q < q1; ++q) gT[q * oc + o] = g[o * plane + q];
    for (int64_t q = q0; q < q1; ++q)
      for (int64_t v = 0; v < oc / L; ++v) bias[v] += load<T, kWideBytes>(gT + q * oc + v * L);
  }
}

// gwT rows t0 .. t0 + R * KW (each OC wide, channels o0 .. o0 + OV*L of them) += the sums over a
// chunk of images: padded inputs xp (wg.image apart), transposed gradients gT (plane*OC apart).
// Taps go by R rows of KW consecutive taps, read as xr[r][p + kx] from R row pointers: kernel
// rows (channel, ky) for 3- and 5-wide kernels, single taps (KW = 1) for other widths. With a
// table of 24 tap offsets GCC kept them on the stack, one load per FMA beside the broadcast: a
// 6 -> 16 5x5 layer's gradient ran at 0.36 of the FMA peak, bound by loads. Predictive commoning
// is off here: it carried each row's inputs from one position to the next in registers and
// broadcast them with shuffles, which compete with the FMAs for a port; from memory, a plain load.
#if defined(__GNUC__) && !defined(__clang__)
#define ETA_NO_PREDICTIVE_COMMONING __attribute__((optimize("no-predictive-commoning")))
#else
#define ETA_NO_PREDICTIVE_COMMONING  // Clang has no such pass
#endif
template <class T, int OV, int R, int KW>
ETA_NO_PREDICTIVE_COMMONING void channel_vector_rows_block(const T* xp, const T* gT, int64_t images,
                                                           const ConvGeometry& g, const WideGrid& wg, int64_t oc,
                                                           int64_t o0, const int64_t* row_off, T* gwT) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const int64_t plane = g.oh * g.ow;
  V<T> acc[R * KW][OV] = {};
  for (int64_t j = 0; j < images; ++j) {
    const T* x = xp + j * wg.image;
    const T* xr[R];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) xr[r] = x + row_off[r];
    const T* gj = gT + j * plane * oc + o0;
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const int64_t p = oy * wg.wp + ox;
        const T* gq = gj + (oy * g.ow + ox) * oc;
        V<T> gv[OV];
#pragma GCC unroll 4
        for (int ov = 0; ov < OV; ++ov) gv[ov] = load<T, kWideBytes>(gq + ov * L);
#pragma GCC unroll 32  // R reaches 24 (single taps, one vector of channels)
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
          for (int kx = 0; kx < KW; ++kx) {
            const T xv = xr[r][p + kx];
#pragma GCC unroll 4
            for (int ov = 0; ov < OV; ++ov) acc[r * KW + kx][ov] += xv * gv[ov];
          }
      }
  }
#pragma GCC unroll 32
  for (int t = 0; t < R * KW; ++t)
#pragma GCC unroll 4
    for (int ov = 0; ov < OV; ++ov) {
      T* dst = gwT + t * oc + o0 + ov * L;
      store(dst, load<T, kWideBytes>(dst) + acc[t][ov]);
    }
}

// Rows per block for OV vectors of channels and rows KW taps wide: whole rows within the
// kChanTapBlock* accumulators.
template <int OV, int KW>
constexpr int chan_rows_per_block() {
  return std::max(1, (OV == 2 ? kChanTapBlock2 : kChanTapBlock1) / KW);
}

// KW = 3 or 5: by kernel rows; KW = 1: any kernel width, by single taps (see above).
template <class T, int OV, int KW>
void channel_vector_conv_backward_weight(const T* x, const T* gout, int64_t n, int64_t oc, const ConvGeometry& g,
                                         T* gw, T* gb) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  constexpr int kRows = chan_rows_per_block<OV, KW>(), TB = kRows * KW;
  constexpr int64_t kChunk = 8;  // images per chunk: their padded inputs and gradients stay in L2
  const WideGrid wg(g, L);
  const int64_t taps = g.c * g.kh * g.kw, plane = g.oh * g.ow, taps_r = round_up(taps, TB), vecs = oc / L;
  // Taps (rows) past the real ones, rounding up to a block, read offset 0 and land in rows never read.
  std::vector<int64_t> offsets = tap_offsets(g, wg, taps_r);
  if constexpr (KW > 1) {  // the offset of each kernel row's first tap
    offsets.assign(static_cast<size_t>(taps_r / KW), 0);
    for (int64_t row = 0; row < g.c * g.kh; ++row) offsets[static_cast<size_t>(row)] = row / g.kh * wg.chan + row % g.kh * wg.wp;
  }
  weight_grad_by_thread<T>(n, oc, taps, gw, gb, [&](int64_t begin, int64_t end, T* acc) {
    T* xp = scratch<T>(2, static_cast<size_t>(kChunk * wg.image));  // written by pad_image
    T* gT = scratch<T>(3, static_cast<size_t>(kChunk * plane * oc));
    T* gwT = scratch<T>(0, static_cast<size_t>(taps_r * oc));
    std::fill(gwT, gwT + taps_r * oc, T(0));
    V<T>* bias = scratch<V<T>>(1, static_cast<size_t>(vecs));
    std::fill(bias, bias + vecs, V<T>{});
    for (int64_t i0 = begin; i0 < end; i0 += kChunk) {
      const int64_t images = std::min(kChunk, end - i0);
      for (int64_t j = 0; j < images; ++j) {
        const int64_t i = i0 + j;
        pad_image(x + i * g.c * g.h * g.w, g, wg, xp + j * wg.image);
        transpose_gradient(gout + i * oc * plane, oc, plane, gT + j * plane * oc, bias);
      }
      for (int64_t t0 = 0; t0 < taps_r; t0 += TB)
        for (int64_t o0 = 0; o0 < oc; o0 += OV * L)
          channel_vector_rows_block<T, OV, kRows, KW>(xp, gT, images, g, wg, oc, o0, offsets.data() + t0 / KW,
                                                      gwT + t0 * oc);
    }
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t t = 0; t < taps; ++t) acc[o * taps + t] = gwT[t * oc + o];
    for (int64_t o = 0; o < oc; ++o) acc[oc * taps + o] = bias[o / L][o % L];
  });
}

template <class T, int OV>
void channel_vector_conv_backward_weight(const T* x, const T* gout, int64_t n, int64_t oc, const ConvGeometry& g,
                                         T* gw, T* gb) {
  if (g.kw == 3) return channel_vector_conv_backward_weight<T, OV, 3>(x, gout, n, oc, g, gw, gb);
  if (g.kw == 5) return channel_vector_conv_backward_weight<T, OV, 5>(x, gout, n, oc, g, gw, gb);
  channel_vector_conv_backward_weight<T, OV, 1>(x, gout, n, oc, g, gw, gb);
}

// The weight (and bias) gradient for output channels that fill whole vectors: two vectors of
// channels per block when they pair up, else one.
template <class T>
void channel_vector_conv_backward_weight(const T* x, const T* gout, int64_t n, int64_t oc, const ConvGeometry& g,
                                         T* gw, T* gb) {
  if ((oc / kLanes<T, kWideBytes>) % 2 == 0)
    channel_vector_conv_backward_weight<T, 2>(x, gout, n, oc, g, gw, gb);
  else
    channel_vector_conv_backward_weight<T, 1>(x, gout, n, oc, g, gw, gb);
}

}  // namespace eta::kernels
