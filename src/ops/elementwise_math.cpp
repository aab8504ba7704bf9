// The unary math ops a new user reaches for first: sin, cos, square, rsqrt, reciprocal, sign,
// log1p, expm1, erf. Each forward is one pass; each backward one fused pass over g and the saved
// input, with PyTorch's formulas (sign's gradient is zero everywhere), or under create_graph the
// same derivative built from recorded ops (ops/chain.h).
#include <cmath>
#include <numbers>

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/tensor/factory.h"
#include "ops/chain.h"
#include "ops/map.h"

namespace eta {

namespace {

// One unary op: out = f(a); its backward is dfdx(g, a) elementwise over the saved input, or
// g * derivative(a) from recorded ops under create_graph.
template <class F, class D, class R>
Tensor unary(const Tensor& a, const char* name, const char* backward_name, const F& f, const D& dfdx,
             const R& derivative) {
  Tensor out = map1(a, name, f);
  const Tensor sa = a;
  return autograd::record(name, out, {a}, [sa, backward_name, dfdx, derivative](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{chain(g, sa, backward_name, dfdx, derivative)};
  });
}

}  // namespace

// records: sin, cos, square, rsqrt, reciprocal, log1p, expm1, erf
Tensor sin(const Tensor& a) {
  return unary(a, "sin", "sin_backward", [](auto x) { return std::sin(x); },
               [](auto g, auto x) { return g * std::cos(x); }, [](const Tensor& x) { return cos(x); });
}

Tensor cos(const Tensor& a) {
  return unary(a, "cos", "cos_backward", [](auto x) { return std::cos(x); },
               [](auto g, auto x) { return -g * std::sin(x); }, [](const Tensor& x) { return neg(sin(x)); });
}

Tensor square(const Tensor& a) {
  return unary(a, "square", "square_backward", [](auto x) { return x * x; },
               [](auto g, auto x) { return g * (x + x); }, [](const Tensor& x) { return mul(x, 2.0); });
}

Tensor rsqrt(const Tensor& a) {
  return unary(a, "rsqrt", "rsqrt_backward", [](auto x) { return decltype(x)(1) / std::sqrt(x); },
               [](auto g, auto x) {
                 using T = decltype(x);
                 const T r = T(1) / std::sqrt(x);
                 return g * T(-0.5) * r * r * r;
               },
               [](const Tensor& x) { return mul(pow(x, -1.5), -0.5); });
}

Tensor reciprocal(const Tensor& a) {
  return unary(a, "reciprocal", "reciprocal_backward", [](auto x) { return decltype(x)(1) / x; },
               [](auto g, auto x) { return -g / (x * x); }, [](const Tensor& x) { return neg(reciprocal(square(x))); });
}

Tensor log1p(const Tensor& a) {
  return unary(a, "log1p", "log1p_backward", [](auto x) { return std::log1p(x); },
               [](auto g, auto x) { return g / (decltype(x)(1) + x); },
               [](const Tensor& x) { return reciprocal(add(x, 1.0)); });
}

Tensor expm1(const Tensor& a) {
  return unary(a, "expm1", "expm1_backward", [](auto x) { return std::expm1(x); },
               [](auto g, auto x) { return g * std::exp(x); }, [](const Tensor& x) { return exp(x); });
}

Tensor erf(const Tensor& a) {
  return unary(a, "erf", "erf_backward", [](auto x) { return std::erf(x); },
               [](auto g, auto x) {
                 using T = decltype(x);
                 return g * static_cast<T>(2.0 / std::sqrt(std::numbers::pi)) * std::exp(-x * x);
               },
               [](const Tensor& x) { return mul(exp(neg(square(x))), 2.0 / std::sqrt(std::numbers::pi)); });
}

// The gradient of sign is zero where it exists (PyTorch's convention at 0 too).
Tensor sign(const Tensor& a) {
  Tensor out = map1(a, "sign", [](auto x) {
    using T = decltype(x);
    return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // NaN stays NaN, -0 stays -0
  });
  return autograd::record("sign", out, {a}, [](const Tensor& g, const NeedsGrad&) {
    // Under create_graph a recorded zero, so that the gradient of this gradient exists (zero too).
    return std::vector<Tensor>{autograd::differentiable_backward() ? mul(g, 0.0) : zeros_like(g)};
  });
}

}  // namespace eta
