// conv2d forward and backward. Stride-1 convolutions on images that fit L2 take the direct
// kernel (kernels/direct_conv.h); the rest im2col + GEMM: the batch is processed in chunks of images whose unfolded
// columns fit a few MiB: im2col of the chunk (parallel over images), then one GEMM per group
// (threaded by BLAS). Weight gradients accumulate over chunks in order, so results repeat bit
// for bit for a given thread count.
// Legend: N batch, C in channels, OC out channels, G groups, K = C/G*KH*KW rows of a col
// buffer, L = OH*OW output positions per image, n images in a chunk.
#include "eta/ops/conv.h"

#include <algorithm>
#include <vector>

#include "eta/autograd/node.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "kernels/blas.h"
#include "kernels/direct_conv.h"
#include "kernels/im2col.h"
#include "kernels/parallel.h"
#include "kernels/scratch.h"
#include "ops/map.h"

namespace eta {

namespace {

struct ConvShape {
  int64_t n, c, oc, groups;
  kernels::ConvGeometry geo;  // per group: geo.c = C / groups
  int64_t k() const { return geo.c * geo.kh * geo.kw; }
  int64_t l() const { return geo.oh * geo.ow; }
  // Images per chunk: keep the col buffer near 2M elements (8 MiB of floats).
  // The direct kernel (kernels/direct_conv.h) handles stride 1, dilation 1, one group, and beat
  // im2col + GEMM 1.3-2x at every LeNet-5 and SmallCNN shape (bench/nn_bench.cpp). It rereads the
  // whole padded image once per block of output channels, so it is kept to images that sit in
  // L2 (here 1 MiB); bigger ones go through im2col + GEMM and BLAS's cache blocking.
  bool direct(size_t elem) const {
    const int64_t padded = c * (geo.h + 2 * geo.ph) * (geo.w + 2 * geo.pw);
    return groups == 1 && geo.sh == 1 && geo.sw == 1 && geo.dh == 1 && geo.dw == 1 &&
           static_cast<size_t>(padded) * elem <= (size_t{1} << 20);
  }
  int64_t chunk() const { return std::clamp<int64_t>((int64_t{1} << 21) / std::max<int64_t>(1, groups * k() * l()), 1, n); }
};

template <class T>
void forward_impl(const ConvShape& s, const T* x, const T* w, const T* b, T* out) {
  const int64_t K = s.k(), L = s.l(), G = s.groups, ocg = s.oc / G;
  const int64_t img = s.c * s.geo.h * s.geo.w;
  T* col = kernels::scratch<T>(0, static_cast<size_t>(G * K * s.chunk() * L));
  T* res = kernels::scratch<T>(1, static_cast<size_t>(s.oc * s.chunk() * L));
  for (int64_t n0 = 0; n0 < s.n; n0 += s.chunk()) {
    const int64_t nc = std::min(s.chunk(), s.n - n0), ld = nc * L;
    kernels::parallel_for(0, nc * G, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t j = i / G, g = i % G;
        kernels::im2col(x + (n0 + j) * img + g * s.geo.c * s.geo.h * s.geo.w, s.geo, col + g * K * ld + j * L, ld);
      }
    });
    for (int64_t g = 0; g < G; ++g)
      kernels::gemm(false, false, ocg, ld, K, T(1), w + g * ocg * K, K, col + g * K * ld, ld, T(0),
                    res + g * ocg * ld, ld);
    // res is (OC, n*L); out wants (n, OC, L), plus the bias.
    kernels::parallel_for(0, nc * s.oc, std::max<int64_t>(1, 16384 / L), [&](int64_t b0, int64_t b1) {
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
void backward_impl(const ConvShape& s, const T* x, const T* w, const T* gout, T* gx, T* gw, T* gb) {
  const int64_t K = s.k(), L = s.l(), G = s.groups, ocg = s.oc / G;
  const int64_t img = s.c * s.geo.h * s.geo.w, gimg = s.geo.c * s.geo.h * s.geo.w;
  T* col = kernels::scratch<T>(0, static_cast<size_t>(G * K * s.chunk() * L));
  T* gperm = kernels::scratch<T>(1, static_cast<size_t>(s.oc * s.chunk() * L));
  if (gw) std::fill(gw, gw + s.oc * K, T(0));
  if (gb) std::fill(gb, gb + s.oc, T(0));
  for (int64_t n0 = 0; n0 < s.n; n0 += s.chunk()) {
    const int64_t nc = std::min(s.chunk(), s.n - n0), ld = nc * L;
    // gperm (OC, n*L) from gout (n, OC, L).
    kernels::parallel_for(0, nc * s.oc, std::max<int64_t>(1, 16384 / L), [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t j = i / s.oc, o = i % s.oc;
        std::copy_n(gout + ((n0 + j) * s.oc + o) * L, L, gperm + o * ld + j * L);
      }
    });
    if (gb)
      for (int64_t o = 0; o < s.oc; ++o) {
        double acc = 0;
        const T* p = gperm + o * ld;
        for (int64_t i = 0; i < ld; ++i) acc += p[i];
        gb[o] += static_cast<T>(acc);
      }
    if (gw) {
      kernels::parallel_for(0, nc * G, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t i = b0; i < b1; ++i) {
          const int64_t j = i / G, g = i % G;
          kernels::im2col(x + (n0 + j) * img + g * gimg, s.geo, col + g * K * ld + j * L, ld);
        }
      });
      // gw[g] (OCg, K) += gperm[g] (OCg, n*L) @ col[g]^T (n*L, K)
      for (int64_t g = 0; g < G; ++g)
        kernels::gemm(false, true, ocg, K, ld, T(1), gperm + g * ocg * ld, ld, col + g * K * ld, ld, T(1),
                      gw + g * ocg * K, K);
    }
    if (gx) {
      // col[g] (K, n*L) = w[g]^T (K, OCg) @ gperm[g] (OCg, n*L), then folded back into images.
      for (int64_t g = 0; g < G; ++g)
        kernels::gemm(true, false, K, ld, ocg, T(1), w + g * ocg * K, K, gperm + g * ocg * ld, ld, T(0),
                      col + g * K * ld, ld);
      kernels::parallel_for(0, nc * G, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t i = b0; i < b1; ++i) {
          const int64_t j = i / G, g = i % G;
          T* dst = gx + (n0 + j) * img + g * gimg;
          std::fill(dst, dst + gimg, T(0));
          kernels::col2im(col + g * K * ld + j * L, ld, s.geo, dst);
        }
      });
    }
  }
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::array<int64_t, 2> stride,
              std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation, int64_t groups) {
  ETA_CHECK(x.dim() == 4, "conv2d: expected a 4-D input (N, C, H, W), got ", shape_str(x.shape()));
  ETA_CHECK(weight.dim() == 4, "conv2d: expected a 4-D weight (OC, C/groups, KH, KW), got ", shape_str(weight.shape()));
  check_same_dtype(x, weight, "conv2d");
  ETA_CHECK(groups >= 1 && weight.size(0) % groups == 0, "conv2d: groups ", groups, " must be >= 1 and divide the ",
            weight.size(0), " output channels");
  ETA_CHECK(x.size(1) == weight.size(1) * groups, "conv2d: input ", shape_str(x.shape()), " has ", x.size(1),
            " channels but weight ", shape_str(weight.shape()), " expects ", weight.size(1) * groups, " (groups ", groups, ")");
  for (int i = 0; i < 2; ++i)
    ETA_CHECK(stride[i] >= 1 && padding[i] >= 0 && dilation[i] >= 1, "conv2d: stride (", stride[0], ", ", stride[1],
              ") and dilation (", dilation[0], ", ", dilation[1], ") must be >= 1 and padding (", padding[0], ", ",
              padding[1], ") >= 0");
  if (bias.defined()) {
    check_same_dtype(x, bias, "conv2d");
    ETA_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "conv2d: bias ", shape_str(bias.shape()),
              " does not match weight ", shape_str(weight.shape()), " (expected [", weight.size(0), "])");
  }
  ConvShape s;
  s.n = x.size(0);
  s.c = x.size(1);
  s.oc = weight.size(0);
  s.groups = groups;
  s.geo = {x.size(1) / groups, x.size(2), x.size(3), weight.size(2), weight.size(3), stride[0], stride[1],
           padding[0], padding[1], dilation[0], dilation[1], 0, 0};
  const int64_t ekh = dilation[0] * (s.geo.kh - 1) + 1, ekw = dilation[1] * (s.geo.kw - 1) + 1;
  ETA_CHECK(ekh <= s.geo.h + 2 * padding[0] && ekw <= s.geo.w + 2 * padding[1], "conv2d: kernel ", s.geo.kh, "x",
            s.geo.kw, " (dilation ", dilation[0], "x", dilation[1], ") is larger than the padded input ",
            s.geo.h + 2 * padding[0], "x", s.geo.w + 2 * padding[1], " (input ", shape_str(x.shape()), ", padding ",
            padding[0], "x", padding[1], ")");
  s.geo.oh = (s.geo.h + 2 * padding[0] - ekh) / stride[0] + 1;
  s.geo.ow = (s.geo.w + 2 * padding[1] - ekw) / stride[1] + 1;

  const Tensor xc = x.detach().contiguous(), wc = weight.detach().contiguous();
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor out = empty({s.n, s.oc, s.geo.oh, s.geo.ow}, x.dtype());
  if (out.numel() > 0)
    dispatch_floating(x.dtype(), "conv2d", [&](auto tag) {
      using T = decltype(tag);
      const T* b = bc.defined() ? bc.data_ptr<T>() : nullptr;
      if (s.direct(sizeof(T)))
        kernels::direct_conv_forward(xc.data_ptr<T>(), wc.data_ptr<T>(), b, s.n, s.oc, s.geo, out.data_ptr<T>());
      else
        forward_impl<T>(s, xc.data_ptr<T>(), wc.data_ptr<T>(), b, out.data_ptr<T>());
    });
  const bool has_bias = bias.defined();
  return autograd::record("conv2d", out, {x, weight, bias}, [s, xc, wc, has_bias](const Tensor& g, const NeedsGrad& need) {
    const Tensor gc = g.contiguous();
    Tensor gx = need[0] ? empty(xc.shape(), xc.dtype()) : Tensor();
    Tensor gw = need[1] ? empty(wc.shape(), wc.dtype()) : Tensor();
    Tensor gb = has_bias && need[2] ? empty({s.oc}, wc.dtype()) : Tensor();
    dispatch_floating(xc.dtype(), "conv2d_backward", [&](auto tag) {
      using T = decltype(tag);
      T* gxp = gx.defined() ? gx.data_ptr<T>() : nullptr;
      T* gwp = gw.defined() ? gw.data_ptr<T>() : nullptr;
      T* gbp = gb.defined() ? gb.data_ptr<T>() : nullptr;
      if (s.direct(sizeof(T))) {
        if (gwp || gbp) kernels::direct_conv_backward_weight(xc.data_ptr<T>(), gc.data_ptr<T>(), s.n, s.oc, s.geo, gwp, gbp);
        if (gxp) kernels::direct_conv_backward_input(wc.data_ptr<T>(), gc.data_ptr<T>(), s.n, s.oc, s.geo, gxp);
      } else {
        backward_impl<T>(s, xc.data_ptr<T>(), wc.data_ptr<T>(), gc.data_ptr<T>(), gxp, gwp, gbp);
      }
    });
    return std::vector<Tensor>{gx, gw, gb};
  });
}

}  // namespace eta
