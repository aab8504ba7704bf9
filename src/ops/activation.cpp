// Activations. Each backward is one fused pass over (grad, saved tensor): no temporaries; under
// create_graph the same derivative is built from recorded ops (ops/chain.h) from the saved input.
#include "eta/ops/activation.h"

#include <cmath>

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/tensor/factory.h"
#include "eta/tensor/grad_mode.h"
#include "autograd/engine.h"
#include "ops/chain.h"
#include "ops/map.h"
#include "ops/overwrite.h"

namespace eta {

// `v < 0 ? 0 : v` lets NaN through, as torch.relu does.
constexpr auto kRelu = [](auto v) { return v < decltype(v)(0) ? decltype(v)(0) : v; };

bool overwritable(const Tensor& t) {
  return !grad_enabled() && !t.requires_grad() && autograd::exclusively_owned(t);
}

Tensor relu_over(const Tensor& x) {
  ETA_CHECK(overwritable(x), "relu_over: the input is shared or a graph is being recorded");
  dispatch_floating(x.dtype(), "relu", [&](auto tag) {
    using T = decltype(tag);
    kernels::unary_kernel(x.shape(), x.data_ptr<T>(), x.strides(), x.data_ptr<T>(), [](T v) { return kRelu(v); });
  });
  return x;
}

Tensor relu(Tensor&& x) { return overwritable(x) ? relu_over(x) : relu(static_cast<const Tensor&>(x)); }

Tensor relu(const Tensor& x) {
  Tensor out = map1(x, "relu", kRelu);
  const Tensor so = out.detach();
  return autograd::record("relu", out, {x}, [so](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{relu_backward(g, so)};
  });
}

Tensor leaky_relu(const Tensor& x, double slope) {
  Tensor out = map1(x, "leaky_relu", [slope](auto v) { return v > decltype(v)(0) ? v : v * static_cast<decltype(v)>(slope); });
  const Tensor sx = x.detach();
  return autograd::record("leaky_relu", out, {x}, [sx, slope](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{masked_chain(g, sx, "leaky_relu_backward", [slope](auto gv, auto v) {
      return v > decltype(v)(0) ? gv : gv * static_cast<decltype(v)>(slope);
    })};
  });
}

Tensor sigmoid(const Tensor& x) {
  // Written so that neither branch overflows: exp of a non-positive number only.
  Tensor out = map1(x, "sigmoid", [](auto v) {
    using T = decltype(v);
    if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
    const T e = std::exp(v);
    return e / (T(1) + e);
  });
  const Tensor sx = x, so = out.detach();
  return autograd::record("sigmoid", out, {x}, [sx, so](const Tensor& g, const NeedsGrad&) {
    if (autograd::differentiable_backward()) {
      const Tensor y = sigmoid(sx);
      return std::vector<Tensor>{mul(g, mul(y, 1.0 - y))};
    }
    return std::vector<Tensor>{map2(g, so, "sigmoid_backward", [](auto gv, auto y) { return gv * y * (decltype(y)(1) - y); })};
  });
}

Tensor tanh(const Tensor& x) {
  Tensor out = map1(x, "tanh", [](auto v) { return std::tanh(v); });
  const Tensor sx = x, so = out.detach();
  return autograd::record("tanh", out, {x}, [sx, so](const Tensor& g, const NeedsGrad&) {
    if (autograd::differentiable_backward()) return std::vector<Tensor>{mul(g, 1.0 - square(tanh(sx)))};
    return std::vector<Tensor>{map2(g, so, "tanh_backward", [](auto gv, auto y) { return gv * (decltype(y)(1) - y * y); })};
  });
}

Tensor gelu(const Tensor& x) {
  // gelu(x) = x * Phi(x), Phi the standard normal CDF.
  Tensor out = map1(x, "gelu", [](auto v) {
    using T = decltype(v);
    return v * T(0.5) * (T(1) + std::erf(v * static_cast<T>(M_SQRT1_2)));
  });
  const Tensor sx = x;
  return autograd::record("gelu", out, {x}, [sx](const Tensor& g, const NeedsGrad&) {
    const auto fused = [](auto gv, auto v) {
      using T = decltype(v);
      const T cdf = T(0.5) * (T(1) + std::erf(v * static_cast<T>(M_SQRT1_2)));
      const T pdf = std::exp(T(-0.5) * v * v) * static_cast<T>(0.5 * M_2_SQRTPI * M_SQRT1_2);
      return gv * (cdf + v * pdf);
    };
    const auto derivative = [](const Tensor& v) {
      const Tensor cdf = mul(add(erf(mul(v, M_SQRT1_2)), 1.0), 0.5);
      return add(cdf, mul(v, mul(exp(mul(square(v), -0.5)), 0.5 * M_2_SQRTPI * M_SQRT1_2)));
    };
    return std::vector<Tensor>{chain(g, sx, "gelu_backward", fused, derivative)};
  });
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  ETA_CHECK(beta > 0, "softplus: beta must be positive, got ", beta);
  Tensor out = map1(x, "softplus", [beta, threshold](auto v) {
    using T = decltype(v);
    const T bx = v * static_cast<T>(beta);
    return bx > static_cast<T>(threshold) ? v : std::log1p(std::exp(bx)) / static_cast<T>(beta);
  });
  const Tensor sx = x;
  return autograd::record("softplus", out, {x}, [sx, beta, threshold](const Tensor& g, const NeedsGrad&) {
    const auto fused = [beta, threshold](auto gv, auto v) {
      using T = decltype(v);
      const T bx = v * static_cast<T>(beta);
      if (bx > static_cast<T>(threshold)) return gv;
      const T z = std::exp(-std::abs(bx));  // sigmoid(bx) without overflow
      return gv * (bx >= T(0) ? T(1) / (T(1) + z) : z / (T(1) + z));
    };
    const auto derivative = [beta, threshold](const Tensor& v) {
      const Tensor linear = gt(mul(v.detach(), beta), scalar_tensor(threshold, v.dtype()));
      return where(linear, ones_like(v), sigmoid(mul(v, beta)));
    };
    return std::vector<Tensor>{chain(g, sx, "softplus_backward", fused, derivative)};
  });
}

}  // namespace eta
