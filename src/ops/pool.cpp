// Pooling ops: argument checks, output geometry, and the backward closures over kernels/pool.h.
#include "eta/ops/pool.h"

#include <vector>

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/indexing.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "kernels/pool.h"
#include "ops/gather_backward.h"
#include "ops/map.h"

namespace eta {

namespace {

kernels::PoolGeometry pool_geometry(const Tensor& x, std::array<int64_t, 2> k, std::array<int64_t, 2>& s,
                                    std::array<int64_t, 2> p, const char* op) {
  ETA_CHECK(x.dim() == 4, op, ": expected a 4-D input (N, C, H, W), got ", shape_str(x.shape()));
  for (int i = 0; i < 2; ++i) {
    if (s[i] == 0) s[i] = k[i];
    ETA_CHECK(k[i] >= 1 && s[i] >= 1 && p[i] >= 0, op, ": kernel (", k[0], ", ", k[1], ") and stride must be >= 1, padding >= 0");
    ETA_CHECK(2 * p[i] <= k[i], op, ": padding (", p[0], ", ", p[1], ") must be at most half the kernel (", k[0], ", ", k[1], ")");
  }
  const int64_t h = x.size(2), w = x.size(3);
  ETA_CHECK(k[0] <= h + 2 * p[0] && k[1] <= w + 2 * p[1], op, ": kernel ", k[0], "x", k[1],
            " is larger than the padded input ", h + 2 * p[0], "x", w + 2 * p[1], " (input ", shape_str(x.shape()), ")");
  return {h, w, k[0], k[1], s[0], s[1], p[0], p[1], (h + 2 * p[0] - k[0]) / s[0] + 1, (w + 2 * p[1] - k[1]) / s[1] + 1};
}

// A new tensor of `shape` and dtype `dt` written by fill(T{}, T* data), T being dt's element type.
template <class F>
Tensor filled(const Shape& shape, DType dt, const char* op, const F& fill) {
  Tensor out = empty(shape, dt);
  dispatch_floating(dt, op, [&](auto tag) { fill(tag, out.data_ptr<decltype(tag)>()); });
  return out;
}

}  // namespace

Tensor max_pool2d(const Tensor& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> stride,
                  std::array<int64_t, 2> padding) {
  const kernels::PoolGeometry g = pool_geometry(x, kernel, stride, padding, "max_pool2d");
  const Tensor xc = x.detach().contiguous();
  const int64_t planes = x.size(0) * x.size(1);
  const Tensor out = filled({x.size(0), x.size(1), g.oh, g.ow}, x.dtype(), "max_pool2d", [&](auto tag, auto* o) {
    kernels::max_pool_forward(xc.data_ptr<decltype(tag)>(), planes, g, o);
  });
  const Tensor so = out.detach();
  return autograd::record("max_pool2d", out, {x}, [xc, so, g, planes](const Tensor& grad, const NeedsGrad&) {
    if (autograd::differentiable_backward()) {
      // The backward is a scatter-add of grad to each window's first maximum: gather's backward over
      // the flattened planes, whose own gradient (a gather at the same positions) is recorded.
      Tensor at = empty({planes, g.oh * g.ow}, kInt64);
      dispatch_floating(xc.dtype(), "max_pool2d_backward", [&](auto tag) {
        using T = decltype(tag);
        kernels::max_pool_argmax(xc.data_ptr<T>(), so.data_ptr<T>(), planes, g, at.data_ptr<int64_t>());
      });
      const Tensor flat = gather_backward(grad.reshape({planes, g.oh * g.ow}), 1, at, {planes, g.h * g.w});
      return std::vector<Tensor>{flat.reshape(xc.shape())};
    }
    const Tensor gc = grad.contiguous();
    return std::vector<Tensor>{filled(xc.shape(), xc.dtype(), "max_pool2d_backward", [&](auto tag, auto* gx) {
      using T = decltype(tag);
      kernels::max_pool_backward(xc.data_ptr<T>(), so.data_ptr<T>(), gc.data_ptr<T>(), planes, g, gx);
    })};
  });
}

Tensor avg_pool2d(const Tensor& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> stride,
                  std::array<int64_t, 2> padding, bool count_include_pad) {
  const kernels::PoolGeometry g = pool_geometry(x, kernel, stride, padding, "avg_pool2d");
  const Tensor xc = x.detach().contiguous();
  const int64_t planes = x.size(0) * x.size(1);
  const Tensor out = filled({x.size(0), x.size(1), g.oh, g.ow}, x.dtype(), "avg_pool2d", [&](auto tag, auto* o) {
    kernels::avg_pool_forward(xc.data_ptr<decltype(tag)>(), planes, g, count_include_pad, o);
  });
  const Shape in_shape = x.shape();
  const DType dt = x.dtype();
  return autograd::record("avg_pool2d", out, {x}, [g, planes, in_shape, dt, count_include_pad](const Tensor& grad, const NeedsGrad&) {
    const Tensor gc = grad.detach().contiguous();
    const Tensor gx = filled(in_shape, dt, "avg_pool2d_backward", [&](auto tag, auto* dst) {
      kernels::avg_pool_backward(gc.data_ptr<decltype(tag)>(), planes, g, count_include_pad, dst);
    });
    // Recorded under create_graph (a no-op otherwise): the adjoint of this spreading is the pooling.
    return std::vector<Tensor>{autograd::record("avg_pool2d_backward", gx, {grad}, [g, count_include_pad](const Tensor& u, const NeedsGrad&) {
      return std::vector<Tensor>{avg_pool2d(u, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw}, count_include_pad)};
    })};
  });
}

Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> output_size) {
  ETA_CHECK(x.dim() == 4, "adaptive_avg_pool2d: expected a 4-D input (N, C, H, W), got ", shape_str(x.shape()));
  ETA_CHECK(output_size[0] >= 1 && output_size[1] >= 1, "adaptive_avg_pool2d: output size (", output_size[0], ", ",
            output_size[1], ") must be positive");
  const int64_t h = x.size(2), w = x.size(3);
  // Composite of differentiable slices and means: each output bin is the mean of its window.
  if (output_size[0] == 1 && output_size[1] == 1) return mean(x, {2, 3}, true);
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < output_size[0]; ++i) {
    const int64_t y0 = i * h / output_size[0], y1 = ((i + 1) * h + output_size[0] - 1) / output_size[0];
    std::vector<Tensor> cols;
    for (int64_t j = 0; j < output_size[1]; ++j) {
      const int64_t x0 = j * w / output_size[1], x1 = ((j + 1) * w + output_size[1] - 1) / output_size[1];
      cols.push_back(mean(x.slice(2, y0, y1).slice(3, x0, x1), {2, 3}, true));
    }
    rows.push_back(cat(cols, 3));
  }
  return cat(rows, 2);
}

}  // namespace eta
