// Direct 2-D convolution for stride 1, dilation 1 and one group, register-blocked over output
// channels and positions. For LeNet-sized layers (few channels, small images) im2col copies every
// input pixel KH*KW times to feed GEMMs whose packing costs more than their arithmetic; here
// each input vector is loaded once per tap and multiplied into a block of output channels.
// The trick that keeps the loops flat: outputs live on a "wide" grid with the padded input's row
// length Wp, so output position p reads padded input p + ki*Wp + kj (one offset per tap) and one
// loop covers a whole plane; the Wp - OW extra columns per row are junk, dropped at the end.
// Rows share their padding: a padded row is PW zeros then W values, and a tap that reads past
// its row's end reads the next row's PW leading zeros, which stand for this row's right padding.
// So Wp = W + PW, not W + 2*PW, and each row has PW fewer junk columns (the input gradient of
// LeNet's 6 -> 16 layer, padding 4 on a 10-wide gradient: 14 columns per row instead of 18);
// only a padding wider than KW - 1 needs more, OW, to hold an output row.
// Legend: x (N, C, H, W), w (OC, C, KH, KW), out/gout (N, OC, OH, OW); Hp = H + 2*PH,
// Wp = max(W + PW, OW);
// a tap t is one (c, ki, kj) of the C*KH*KW weights of an output channel.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/im2col.h"
#include "kernels/parallel.h"
#include "kernels/scratch.h"
#include "kernels/vec.h"

namespace eta::kernels {

// The conv kernels compute in the target's widest vectors (AVX-512: 16 floats).
template <class T>
using V = Vec<T, kWideBytes>;

// Register blocks are sized to the register file: accumulators plus the vectors they read. The
// forward's (output channels x vectors of positions) is picked per call by conv_wide_image; the
// weight gradient's (output channels x taps) per shape by direct_conv_backward_weight, so that
// neither side rounds up: 6 channels x 25 taps (LeNet's first layer) went in 4 x 4 blocks as
// 8 x 28, a third of the FMAs on padding.

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// Sizes of one zero-padded image and of one output plane on the wide grid.
struct WideGrid {
  int64_t c, hp, wp;  // channels, padded height, row stride (max(W + PW, OW): rows share padding)
  int64_t wide;       // output positions on the wide grid: OH * Wp
  int64_t wide_r;     // wide rounded up to whole vectors (the extra positions are junk too)
  int64_t chan;       // elements per padded channel
  int64_t image;      // elements per padded image, with slack for the junk positions' reads
  WideGrid(const ConvGeometry& g, int64_t lanes)
      : c(g.c), hp(g.h + 2 * g.ph), wp(std::max(g.w + g.pw, g.ow)), wide(g.oh * wp), wide_r(round_up(wide, lanes)),
        chan(hp * wp), image(c * chan + (wide_r - wide) + g.kw + lanes) {}
};

// Offset of each tap's input relative to the output position, on the padded image. `count` may
// exceed the real taps (rounded up to a block); the extra ones read offset 0 and are discarded.
inline std::vector<int64_t> tap_offsets(const ConvGeometry& g, const WideGrid& wg, int64_t count) {
  std::vector<int64_t> off(static_cast<size_t>(count), 0);
  for (int64_t c = 0, t = 0; c < g.c; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) off[static_cast<size_t>(t++)] = c * wg.chan + ki * wg.wp + kj;
  return off;
}

// dst[0, n) = src[0, n), inline: rows here are 7-28 values, and a memcpy call per row was a
// quarter of a 1 -> 6 weight gradient's time.
// A row of at least a vector ends with one more vector that overlaps the last (as memcpy does);
// src and dst must not overlap.
template <class T>
inline void copy_row(const T* src, int64_t n, T* dst) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  if (n < L) {
    for (int64_t x = 0; x < n; ++x) dst[x] = src[x];
    return;
  }
  for (int64_t x = 0; x + L < n; x += L) store(dst + x, load<T, kWideBytes>(src + x));
  store(dst + n - L, load<T, kWideBytes>(src + n - L));
}

// Zero-padded copy of one image (C, H, W) in the WideGrid layout.
template <class T>
void pad_image(const T* x, const ConvGeometry& g, const WideGrid& wg, T* xp) {
  std::fill(xp, xp + wg.image, T(0));
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t y = 0; y < g.h; ++y) copy_row(x + (c * g.h + y) * g.w, g.w, xp + c * wg.chan + (y + g.ph) * wg.wp + g.pw);
}

// Weights (OC, taps) regrouped as [block of OB channels][tap][channel in block], so each tap's
// weights for a block are adjacent; channels past OC are zero.
template <class T>
std::vector<T> pack_weights(const T* w, int64_t oc, int64_t taps, int64_t OB) {
  std::vector<T> packed(static_cast<size_t>(round_up(oc, OB) * taps), T(0));
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t t = 0; t < taps; ++t) packed[static_cast<size_t>(((o / OB) * taps + t) * OB + o % OB)] = w[o * taps + t];
  return packed;
}

// The taps a block of wide-grid positions needs. Rows of the padded input that are all padding
// contribute zeros: for positions in output rows y_lo .. y_hi, kernel row ki reads padded rows
// y + ki, which hold data only from PH to PH + H - 1. So the taps of each channel that matter
// are the kernel rows ki_lo .. ki_hi, a contiguous range [begin, end) of that channel's KH*KW
// taps. Skipping the rest leaves every sum bit for bit the same (the skipped terms are zeros),
// and stops multiplying the zero border of a "full" convolution: the input gradient of LeNet's
// 6 -> 16 layer reads its 10-row gradient padded by 4 rows on each side.
struct TapRows {
  int64_t chans, per_chan;  // taps are (channel, ki, kj): per_chan = KH * KW
  int64_t begin, end;       // of each channel's taps

  static TapRows for_block(const ConvGeometry& g, const WideGrid& wg, int64_t p, int64_t count) {
    const int64_t y_lo = std::min(p / wg.wp, g.oh - 1), y_hi = std::min((p + count - 1) / wg.wp, g.oh - 1);
    const int64_t ki_lo = std::max<int64_t>(0, g.ph - y_hi), ki_hi = std::min(g.kh - 1, g.ph + g.h - 1 - y_lo);
    return {g.c, g.kh * g.kw, ki_lo * g.kw, std::max(ki_lo, ki_hi + 1) * g.kw};
  }
};

// Register block of conv_wide_image: OB output channels x PB vectors of positions starting at
// p, summed over the taps that read data. (Kept in this shape, int indices and a zero start,
// GCC keeps all the accumulators in registers; with the bias folded into the start it spilled them.)
template <class T, int OB, int PB>
inline void conv_block(const T* xp, const int64_t* off, const TapRows& rows, const T* wblock, int64_t p,
                       V<T> (&acc)[OB][PB]) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  for (int ob = 0; ob < OB; ++ob)
    for (int pb = 0; pb < PB; ++pb) acc[ob][pb] = V<T>{};
  for (int64_t c = 0; c < rows.chans; ++c)
    for (int64_t t = c * rows.per_chan + rows.begin, end = c * rows.per_chan + rows.end; t < end; ++t) {
      const T* src = xp + off[t] + p;
      V<T> v[PB];
#pragma GCC unroll 8
      for (int pb = 0; pb < PB; ++pb) v[pb] = load<T, kWideBytes>(src + pb * L);
      const T* wt = wblock + t * OB;
#pragma GCC unroll 16
      for (int ob = 0; ob < OB; ++ob) {
        const T wv = wt[ob];  // scalar * vector: a broadcast load feeding the FMAs
#pragma GCC unroll 8
        for (int pb = 0; pb < PB; ++pb) acc[ob][pb] += wv * v[pb];
      }
    }
}

// One padded image through the convolution with OB x PB blocks (and 1-vector blocks for the
// tail): outwide (round_up(OC, OB) rows of wide_r) gets the sum over taps of weight * input.
// The bias is added by the caller when it cuts the rows out: eight bias vectors held across
// this loop pushed GCC into spilling the input vectors.
template <class T, int OB, int PB>
void conv_wide_image(const T* xp, const ConvGeometry& g, const WideGrid& wg, const int64_t* off, const T* wpack,
                     int64_t oc, T* outwide) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const int64_t taps = g.c * g.kh * g.kw;
  for (int64_t o0 = 0; o0 < oc; o0 += OB) {
    const T* wblock = wpack + (o0 / OB) * taps * OB;
    int64_t p = 0;
    for (; p + PB * L <= wg.wide_r; p += PB * L) {
      V<T> acc[OB][PB];
      conv_block<T, OB, PB>(xp, off, TapRows::for_block(g, wg, p, PB * L), wblock, p, acc);
#pragma GCC unroll 16
      for (int ob = 0; ob < OB; ++ob)
#pragma GCC unroll 8
        for (int pb = 0; pb < PB; ++pb) store(outwide + (o0 + ob) * wg.wide_r + p + pb * L, acc[ob][pb]);
    }
    for (; p < wg.wide_r; p += L) {
      V<T> acc[OB][1];
      conv_block<T, OB, 1>(xp, off, TapRows::for_block(g, wg, p, L), wblock, p, acc);
#pragma GCC unroll 16
      for (int ob = 0; ob < OB; ++ob) store(outwide + (o0 + ob) * wg.wide_r + p, acc[ob][0]);
    }
  }
}

// The block shape for OC output channels: all of them (up to 8) times as many position vectors
// as the registers allow, so that layers with 1-6 channels waste no multiplies on padding. With
// AVX-512, five or six channels take 3 vectors (18 accumulators), not 2: a tap's 6 weight broadcasts then feed
// 18 FMAs instead of 12, and loads, not FMAs, were the limit (LeNet-5's 6 -> 16 input gradient
// 434-441 -> 389-399 us, its 1 -> 6 forward 162-172 -> 155-159 us, one thread).
struct ConvBlock {
  int out, pos;
};
inline ConvBlock conv_block_for(int64_t oc) {
#if defined(__AVX512F__)
  if (oc >= 7) return {8, 3};
  if (oc >= 5) return {6, 3};
  if (oc >= 4) return {4, 3};
  if (oc >= 3) return {3, 4};
  if (oc >= 2) return {2, 6};
  return {1, 8};
#else
  if (oc == 5 || oc == 6) return {6, 2};  // 12 + 2 + 1 of 16 registers; 4 x 2 blocks computed 8 rows
  if (oc >= 7) return {4, 3};
  if (oc >= 4) return {4, 2};
  if (oc >= 3) return {3, 3};
  if (oc >= 2) return {2, 4};
  return {1, 6};
#endif
}

template <class T>
void conv_wide_image(ConvBlock blk, const T* xp, const ConvGeometry& g, const WideGrid& wg, const int64_t* off,
                     const T* wpack, int64_t oc, T* outwide) {
  switch (blk.out * 16 + blk.pos) {
#if defined(__AVX512F__)
    case 8 * 16 + 3: return conv_wide_image<T, 8, 3>(xp, g, wg, off, wpack, oc, outwide);
    case 6 * 16 + 3: return conv_wide_image<T, 6, 3>(xp, g, wg, off, wpack, oc, outwide);
    case 4 * 16 + 3: return conv_wide_image<T, 4, 3>(xp, g, wg, off, wpack, oc, outwide);
    case 3 * 16 + 4: return conv_wide_image<T, 3, 4>(xp, g, wg, off, wpack, oc, outwide);
    case 2 * 16 + 6: return conv_wide_image<T, 2, 6>(xp, g, wg, off, wpack, oc, outwide);
    default: return conv_wide_image<T, 1, 8>(xp, g, wg, off, wpack, oc, outwide);
#else
    case 6 * 16 + 2: return conv_wide_image<T, 6, 2>(xp, g, wg, off, wpack, oc, outwide);
    case 4 * 16 + 3: return conv_wide_image<T, 4, 3>(xp, g, wg, off, wpack, oc, outwide);
    case 4 * 16 + 2: return conv_wide_image<T, 4, 2>(xp, g, wg, off, wpack, oc, outwide);
    case 3 * 16 + 3: return conv_wide_image<T, 3, 3>(xp, g, wg, off, wpack, oc, outwide);
    case 2 * 16 + 4: return conv_wide_image<T, 2, 4>(xp, g, wg, off, wpack, oc, outwide);
    default: return conv_wide_image<T, 1, 6>(xp, g, wg, off, wpack, oc, outwide);
#endif
  }
}

// A convolution of a batch whose output rows are cut out of the wide grid by `emit`.
template <class T, class Emit>
void conv_batch(const T* x, const T* w, int64_t n, int64_t oc, const ConvGeometry& g, const Emit& emit) {
  const WideGrid wg(g, kLanes<T, kWideBytes>);
  const int64_t taps = g.c * g.kh * g.kw;
  const std::vector<int64_t> offsets = tap_offsets(g, wg, taps);
  const ConvBlock blk = conv_block_for(oc);
  const std::vector<T> wpack = pack_weights(w, oc, taps, blk.out);
  parallel_for(0, n, 1, [&](int64_t n0, int64_t n1) {
    // pad_image writes all of xp and the kernel all of outwide: no initialisation needed.
    T* xp = scratch<T>(2, static_cast<size_t>(wg.image));
    // + a vector: copy_plane reads whole vectors past a row's end
    T* outwide = scratch<T>(3, static_cast<size_t>(round_up(oc, blk.out) * wg.wide_r + kLanes<T, kWideBytes>));
    for (int64_t i = n0; i < n1; ++i) {
      pad_image(x + i * g.c * g.h * g.w, g, wg, xp);
      conv_wide_image(blk, xp, g, wg, offsets.data(), wpack.data(), oc, outwide);
      emit(i, wg, outwide);
    }
  });
}

// dst (a rows x cols plane) = rows of src (src_stride apart) + bias. Rows go in whole vectors
// whose overhang lands on the start of the next rows, rewritten when those are copied; a row
// whose vectors would leave the plane is copied exactly. (Rows of 7-28 values copied exactly
// were mostly scalar tails: a third of a 1 -> 6 layer's forward.) src is read up to a vector
// past a row's end.
template <class T>
void copy_plane(const T* src, int64_t src_stride, int64_t rows, int64_t cols, T bias, T* dst) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const int64_t span = round_up(cols, L);
  const V<T> bias_v = V<T>{} + bias;
  for (int64_t y = 0; y < rows; ++y) {
    const T* s = src + y * src_stride;
    T* d = dst + y * cols;
    if (y * cols + span <= rows * cols) {
      for (int64_t x = 0; x < span; x += L) store(d + x, load<T, kWideBytes>(s + x) + bias_v);
    } else {
      for (int64_t x = 0; x < cols; ++x) d[x] = s[x] + bias;
    }
  }
}

template <class T>
void direct_conv_forward(const T* x, const T* w, const T* b, int64_t n, int64_t oc, const ConvGeometry& g, T* out) {
  conv_batch(x, w, n, oc, g, [&](int64_t i, const WideGrid& wg, const T* outwide) {
    for (int64_t o = 0; o < oc; ++o)
      copy_plane(outwide + o * wg.wide_r, wg.wp, g.oh, g.ow, b ? b[o] : T(0), out + (i * oc + o) * g.oh * g.ow);
  });
}

// Input gradient: gout convolved with the weights flipped and transposed to (C, OC, KH, KW).
// Padding gout by KH-1-PH (not the "full" KH-1) makes the result exactly H x W: the rows and
// columns of the padded input's gradient, which would be cut off, are never computed. Only when
// PH > KH-1 is there a band to cut: then gout is not padded and `crop` rows are skipped.
template <class T>
void direct_conv_backward_input(const T* w, const T* gout, int64_t n, int64_t oc, const ConvGeometry& g, T* gx) {
  const int64_t k2 = g.kh * g.kw;
  std::vector<T> flipped(static_cast<size_t>(g.c * oc * k2));
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t k = 0; k < k2; ++k) flipped[static_cast<size_t>((c * oc + o) * k2 + (k2 - 1 - k))] = w[(o * g.c + c) * k2 + k];
  const int64_t qh = std::max<int64_t>(g.kh - 1 - g.ph, 0), qw = std::max<int64_t>(g.kw - 1 - g.pw, 0);
  const int64_t crop_y = qh - (g.kh - 1 - g.ph), crop_x = qw - (g.kw - 1 - g.pw);
  const ConvGeometry t{oc, g.oh, g.ow, g.kh, g.kw, 1, 1, qh, qw, 1, 1, g.oh + 2 * qh - g.kh + 1, g.ow + 2 * qw - g.kw + 1};
  conv_batch<T>(gout, flipped.data(), n, g.c, t, [&](int64_t i, const WideGrid& wg, const T* outwide) {
    for (int64_t c = 0; c < g.c; ++c)
      copy_plane(outwide + c * wg.wide_r + crop_y * wg.wp + crop_x, wg.wp, g.h, g.w, T(0), gx + (i * g.c + c) * g.h * g.w);
  });
}

// For every (channel c, kernel column kj): the padded input's rows shifted left by kj and cut
// to OW, row iy at (c * KW + kj) * Hp * OW + iy * OW, zeros where the input is padding. Tap
// (c, ki, kj) at dense output position p = oy * OW + ox then reads its copy at ki * OW + p:
// KW copies of the image stand for all KH * KW rows of im2col (for 5 x 5 taps, a fifth).
template <class T>
void shifted_copies(const T* x, const ConvGeometry& g, T* copies) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const int64_t hp = g.h + 2 * g.ph;
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t kj = 0; kj < g.kw; ++kj) {
      int64_t lo, hi;
      valid_columns(kj - g.pw, 1, g.w, g.ow, lo, hi);
      for (int64_t iy = 0; iy < hp; ++iy) {
        T* out = copies + ((c * g.kw + kj) * hp + iy) * g.ow;
        const int64_t y = iy - g.ph;
        const bool inside = y >= 0 && y < g.h;
        // Zeros in whole (overlapping) vectors, then the input over them: a row's padding is
        // 1-2 values, too few for a loop of its own.
        if (!inside || lo > 0 || hi < g.ow) {
          if (g.ow < L)
            std::fill(out, out + g.ow, T(0));
          else
            for (int64_t ox = 0; ox < g.ow; ox += L) store(out + std::min(ox, g.ow - L), V<T>{});
        }
        if (inside) copy_row(x + (c * g.h + y) * g.w + kj - g.pw + lo, hi - lo, out + lo);
      }
    }
}

// Keeps a loaded vector in a register: GCC otherwise folded the load into every FMA that uses
// it, OB or TB loads instead of one, and the weight gradient's loop was bound by loads.
template <class VecT>
inline void pin_to_register(VecT& v) {
#if defined(__x86_64__)
  asm("" : "+v"(v));
#endif
}

// vgw[o][t] (one vector of lane partial sums per weight) += sum over positions p < plane of
// grows[o][p] * xrows[t][p] for one OB x TB block: the gradient's rows read in place, the taps'
// rows from shifted_copies. The TB input vectors are held and each gradient vector is loaded
// once and used TB times.
template <class T, int OB, int TB>
void weight_grad_block(const T* const* grows, const T* const* xrows, int64_t plane, V<T>* vgw, int64_t taps_r) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  V<T> acc[OB][TB];  // int indices below, as in conv_block: keeps these in registers
#pragma GCC unroll 8
  for (int ob = 0; ob < OB; ++ob)
#pragma GCC unroll 8
    for (int tb = 0; tb < TB; ++tb) acc[ob][tb] = vgw[ob * taps_r + tb];
  const auto step = [&](const auto& load_at) {
    V<T> xv[TB];
#pragma GCC unroll 8
    for (int tb = 0; tb < TB; ++tb) {
      xv[tb] = load_at(xrows[tb]);
      pin_to_register(xv[tb]);
    }
#pragma GCC unroll 8
    for (int ob = 0; ob < OB; ++ob) {
      V<T> gv = load_at(grows[ob]);
      pin_to_register(gv);
#pragma GCC unroll 8
      for (int tb = 0; tb < TB; ++tb) acc[ob][tb] += gv * xv[tb];
    }
  };
  const int64_t whole = plane / L * L;
  for (int64_t p = 0; p < whole; p += L) step([p](const T* row) { return load<T, kWideBytes>(row + p); });
  if (whole < plane)  // the last, partial vector, zero-filled: past it lie other rows (maybe inf)
    step([whole, plane](const T* row) {
      T tail[kLanes<T, kWideBytes>] = {};  // not L: Clang 14 would need it captured
      std::copy(row + whole, row + plane, tail);
      return load<T, kWideBytes>(tail);
    });
#pragma GCC unroll 8
  for (int ob = 0; ob < OB; ++ob)
#pragma GCC unroll 8
    for (int tb = 0; tb < TB; ++tb) vgw[ob * taps_r + tb] = acc[ob][tb];
}

// Sum of n values, in vectors and then lanes in order, then the tail. The bias gradient was a
// scalar running sum: a chain of dependent adds that took longer than all the FMAs of a
// 1-channel convolution's weight gradient.
template <class T>
T row_sum(const T* p, int64_t n) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  V<T> acc{};
  int64_t i = 0;
  for (; i + L <= n; i += L) acc += load<T, kWideBytes>(p + i);
  T s = 0;
  for (int l = 0; l < L; ++l) s += acc[l];
  for (; i < n; ++i) s += p[i];
  return s;
}

// Runs body(begin, end, acc) on each thread for a contiguous range of images, acc its own zeroed
// buffer of oc * taps weight-gradient sums then oc bias-gradient sums; the buffers are added in
// thread order into gw and gb (either may be null), so results repeat bit for bit for a given
// thread count.
template <class T, class Body>
void weight_grad_by_thread(int64_t n, int64_t oc, int64_t taps, T* gw, T* gb, const Body& body) {
  const int threads = std::max(1, std::min<int>(max_threads(), static_cast<int>(n)));
  std::vector<std::vector<T>> partial(static_cast<size_t>(threads), std::vector<T>(static_cast<size_t>(oc * taps + oc), T(0)));
  const int64_t per_thread = (n + threads - 1) / threads;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int t = 0; t < threads; ++t)
    body(t * per_thread, std::min(n, (t + 1) * per_thread), partial[static_cast<size_t>(t)].data());
  if (gw) std::fill(gw, gw + oc * taps, T(0));
  if (gb) std::fill(gb, gb + oc, T(0));
  for (int t = 0; t < threads; ++t) {
    const T* acc = partial[static_cast<size_t>(t)].data();
    if (gw)
      for (int64_t k = 0; k < oc * taps; ++k) gw[k] += acc[k];
    if (gb)
      for (int64_t o = 0; o < oc; ++o) gb[o] += acc[oc * taps + o];
  }
}

// Weight (and bias) gradients, vectorised over positions: for layers whose output channels do
// not fill whole vectors or that have few taps (conv_weight_grad.h has the kernel for the rest).
// A GEMM over each image's dense positions, gw (OC, taps) += g (OC, OH*OW) im2col(x)^T, in
// OB x TB register blocks, with im2col's rows read from shifted_copies and the gradient read in
// place. (The kernel it replaces ran on the padded "wide" grid: it copied the whole gradient
// into that layout first, 41% of a 1 -> 32 weight gradient's time on a Zen 5 core, and
// multiplied the junk columns.)
template <class T, int OB, int TB>
void direct_conv_backward_weight(const T* x, const T* gout, int64_t n, int64_t oc, const ConvGeometry& g, T* gw, T* gb) {
  constexpr int64_t L = kLanes<T, kWideBytes>;
  const int64_t taps = g.c * g.kh * g.kw, plane = g.oh * g.ow, hp = g.h + 2 * g.ph;
  const int64_t oc_r = round_up(oc, OB), taps_r = round_up(taps, TB);
  // Where each tap's row starts in shifted_copies: copy (c, kj), ki rows down. Taps past the
  // real ones repeat the last, as do channels past OC below; their sums are dropped.
  std::vector<int64_t> tap_row(static_cast<size_t>(taps_r));
  for (int64_t t = 0; t < taps_r; ++t) {
    const int64_t r = std::min(t, taps - 1), c = r / (g.kh * g.kw), ki = r / g.kw % g.kh, kj = r % g.kw;
    tap_row[static_cast<size_t>(t)] = (c * g.kw + kj) * hp * g.ow + ki * g.ow;
  }
  weight_grad_by_thread<T>(n, oc, taps, gw, gb, [&](int64_t begin, int64_t end, T* acc) {
    T* copies = scratch<T>(2, static_cast<size_t>(g.c * g.kw * hp * g.ow));
    V<T>* vgw = scratch<V<T>>(0, static_cast<size_t>(oc_r * taps_r));
    std::fill(vgw, vgw + oc_r * taps_r, V<T>{});
    for (int64_t i = begin; i < end; ++i) {
      const T* gi = gout + i * oc * plane;
      for (int64_t o = 0; o < oc; ++o) acc[oc * taps + o] += row_sum(gi + o * plane, plane);
      shifted_copies(x + i * g.c * g.h * g.w, g, copies);
      for (int64_t t0 = 0; t0 < taps_r; t0 += TB) {
        const T* xrows[TB];
        for (int tb = 0; tb < TB; ++tb) xrows[tb] = copies + tap_row[static_cast<size_t>(t0 + tb)];
        for (int64_t o0 = 0; o0 < oc_r; o0 += OB) {
          const T* grows[OB];
          for (int ob = 0; ob < OB; ++ob) grows[ob] = gi + std::min(o0 + ob, oc - 1) * plane;
          weight_grad_block<T, OB, TB>(grows, xrows, plane, vgw + o0 * taps_r + t0, taps_r);
        }
      }
    }
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t k = 0; k < taps; ++k) {
        T s = 0;
        for (int l = 0; l < L; ++l) s += vgw[static_cast<size_t>(o * taps_r + k)][l];
        acc[o * taps + k] = s;
      }
  });
}

// The block that rounds the channels and taps up least (padded multiplies), the first listed on
// ties. Each holds OB * TB accumulators, TB input vectors and one gradient vector.
template <class T>
void direct_conv_backward_weight(const T* x, const T* gout, int64_t n, int64_t oc, const ConvGeometry& g, T* gw, T* gb) {
  const int64_t taps = g.c * g.kh * g.kw;
  const auto padded = [&](int64_t ob, int64_t tb) { return round_up(oc, ob) * round_up(taps, tb); };
#if defined(__AVX512F__)
  // 28, 29, 21 and 21 of 32 registers.
  const int64_t best = std::min({padded(8, 3), padded(6, 4), padded(3, 5), padded(4, 4)});
  if (padded(8, 3) == best) return direct_conv_backward_weight<T, 8, 3>(x, gout, n, oc, g, gw, gb);
  if (padded(6, 4) == best) return direct_conv_backward_weight<T, 6, 4>(x, gout, n, oc, g, gw, gb);
  if (padded(3, 5) == best) return direct_conv_backward_weight<T, 3, 5>(x, gout, n, oc, g, gw, gb);
  direct_conv_backward_weight<T, 4, 4>(x, gout, n, oc, g, gw, gb);
#else
  // 16, 16 and 13 of 16 registers.
  const int64_t best = std::min({padded(4, 3), padded(2, 5), padded(2, 4)});
  if (padded(4, 3) == best) return direct_conv_backward_weight<T, 4, 3>(x, gout, n, oc, g, gw, gb);
  if (padded(2, 5) == best) return direct_conv_backward_weight<T, 2, 5>(x, gout, n, oc, g, gw, gb);
  direct_conv_backward_weight<T, 2, 4>(x, gout, n, oc, g, gw, gb);
#endif
}

}  // namespace eta::kernels
