// conv2d: argument checks, output geometry and the recorded backward; the loops (direct kernel
// or im2col + GEMM) are kernels/conv.h. Under create_graph the two gradients are recorded ops
// themselves: with y = conv(x, w), dx = conv2d_input_backward(g, w) and dw = conv2d_weight_backward(x, g)
// are bilinear, and the three maps are each other's adjoints, so their own gradients are again
// conv2d and the two backward ops.
#include "eta/ops/conv.h"

#include <vector>

#include "eta/autograd/node.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "kernels/conv.h"
#include "ops/map.h"

namespace eta {

using kernels::ConvShape;

namespace {

Tensor conv_input_grad(const ConvShape& s, const Tensor& g, const Tensor& w);
Tensor conv_weight_grad(const ConvShape& s, const Tensor& x, const Tensor& g);

// conv2d without bias, from the geometry of a ConvShape.
Tensor conv_of(const ConvShape& s, const Tensor& x, const Tensor& w) {
  return conv2d(x, w, Tensor(), {s.geo.sh, s.geo.sw}, {s.geo.ph, s.geo.pw}, {s.geo.dh, s.geo.dw}, s.groups);
}

// One of conv_backward's outputs (the others not computed): gx from (g, w), or gw from (x, g).
Tensor conv_backward_part(const ConvShape& s, const Tensor& x, const Tensor& w, const Tensor& g, bool input) {
  const Tensor gc = g.detach().contiguous();
  const Tensor other = (input ? w : x).detach().contiguous();
  Tensor out = input ? empty({s.n, s.c, s.geo.h, s.geo.w}, g.dtype()) : empty({s.oc, s.geo.c, s.geo.kh, s.geo.kw}, g.dtype());
  dispatch_floating(g.dtype(), "conv2d_backward", [&](auto tag) {
    using T = decltype(tag);
    if (input)
      kernels::conv_backward<T>(s, nullptr, other.data_ptr<T>(), gc.data_ptr<T>(), out.data_ptr<T>(), nullptr, nullptr);
    else
      kernels::conv_backward<T>(s, other.data_ptr<T>(), nullptr, gc.data_ptr<T>(), nullptr, out.data_ptr<T>(), nullptr);
  });
  return out;
}

Tensor conv_input_grad(const ConvShape& s, const Tensor& g, const Tensor& w) {
  Tensor out = conv_backward_part(s, Tensor(), w, g, true);
  return autograd::record("conv2d_input_backward", out, {g, w}, [s, g, w](const Tensor& u, const NeedsGrad& need) {
    return std::vector<Tensor>{need[0] ? conv_of(s, u, w) : Tensor(), need[1] ? conv_weight_grad(s, u, g) : Tensor()};
  });
}

Tensor conv_weight_grad(const ConvShape& s, const Tensor& x, const Tensor& g) {
  Tensor out = conv_backward_part(s, x, Tensor(), g, false);
  return autograd::record("conv2d_weight_backward", out, {x, g}, [s, x, g](const Tensor& v, const NeedsGrad& need) {
    return std::vector<Tensor>{need[0] ? conv_input_grad(s, g, v) : Tensor(), need[1] ? conv_of(s, x, v) : Tensor()};
  });
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
      kernels::conv_forward<T>(s, xc.data_ptr<T>(), wc.data_ptr<T>(), b, out.data_ptr<T>());
    });
  const bool has_bias = bias.defined();
  return autograd::record("conv2d", out, {x, weight, bias}, [s, x, weight, xc, wc, has_bias](const Tensor& g, const NeedsGrad& need) {
    if (autograd::differentiable_backward())
      return std::vector<Tensor>{need[0] ? conv_input_grad(s, g, weight) : Tensor(),
                                 need[1] ? conv_weight_grad(s, x, g) : Tensor(),
                                 has_bias && need[2] ? sum(g, {0, 2, 3}) : Tensor()};
    const Tensor gc = g.contiguous();
    Tensor gx = need[0] ? empty(xc.shape(), xc.dtype()) : Tensor();
    Tensor gw = need[1] ? empty(wc.shape(), wc.dtype()) : Tensor();
    Tensor gb = has_bias && need[2] ? empty({s.oc}, wc.dtype()) : Tensor();
    dispatch_floating(xc.dtype(), "conv2d_backward", [&](auto tag) {
      using T = decltype(tag);
      T* gxp = gx.defined() ? gx.data_ptr<T>() : nullptr;
      T* gwp = gw.defined() ? gw.data_ptr<T>() : nullptr;
      T* gbp = gb.defined() ? gb.data_ptr<T>() : nullptr;
      kernels::conv_backward<T>(s, xc.data_ptr<T>(), wc.data_ptr<T>(), gc.data_ptr<T>(), gxp, gwp, gbp);
    });
    return std::vector<Tensor>{gx, gw, gb};
  });
}

}  // namespace eta
