// softmax / log_softmax along a dim. The dim is moved last (a copy only when it is not already
// the contiguous last dim), the row kernel runs, and the result is laid back in the input's shape.
#include "eta/ops/softmax.h"

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/reduction.h"
#include "kernels/softmax.h"
#include "ops/map.h"

namespace eta {

namespace {

Tensor softmax_values(const Tensor& x, int64_t dim, bool log_space, const char* op) {
  Shape order;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) order.push_back(d);
  order.push_back(dim);
  const Tensor rows = x.detach().permute(order).contiguous();
  Tensor out = empty(rows.shape(), x.dtype());
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[dim];
  dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    if (out.numel() > 0) kernels::softmax_rows(rows.data_ptr<T>(), out.numel() / n, n, out.data_ptr<T>(), log_space);
  });
  Shape inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[order[i]] = static_cast<int64_t>(i);
  return out.permute(inverse).contiguous();
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim(), "softmax");
  if (x.dim() == 0) dim = 0;
  Tensor out = x.dim() == 0 ? map1(x, "softmax", [](auto v) { return v == v ? decltype(v)(1) : v; })
                            : softmax_values(x, dim, false, "softmax");
  const Tensor sx = x, so = out.detach();
  return autograd::record("softmax", out, {x}, [sx, so, dim](const Tensor& g, const NeedsGrad&) {
    // dx = y * (g - sum(g * y)); under create_graph y is recomputed with its history.
    const Tensor y = autograd::differentiable_backward() ? softmax(sx, dim) : so;
    const Tensor gy = mul(g, y);
    return std::vector<Tensor>{sub(gy, mul(y, y.dim() ? sum(gy, {dim}, true) : gy))};
  });
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim(), "log_softmax");
  Tensor out = x.dim() == 0 ? map1(x, "log_softmax", [](auto v) { return v == v ? decltype(v)(0) : v; })
                            : softmax_values(x, dim, true, "log_softmax");
  const Tensor sx = x, so = out.detach();
  return autograd::record("log_softmax", out, {x}, [sx, so, dim](const Tensor& g, const NeedsGrad&) {
    // dx = g - softmax(x) * sum(g)
    const Tensor total = so.dim() ? sum(g, {dim}, true) : g;
    if (autograd::differentiable_backward()) return std::vector<Tensor>{sub(g, mul(softmax(sx, dim), total))};
    return std::vector<Tensor>{map3(g, so, total, "log_softmax_backward",
                                    [](auto gv, auto y, auto s) { return gv - std::exp(y) * s; })};
  });
}

}  // namespace eta
