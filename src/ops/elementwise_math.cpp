// The unary math ops a new user reaches for first: sin, cos, square, rsqrt, reciprocal, sign,
// log1p, expm1, erf. Each forward is one pass; each backward one fused pass over g and the saved
// input (or output), with PyTorch's formulas (sign's gradient is zero everywhere).
#include <cmath>
#include <numbers>

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/tensor/factory.h"
#include "ops/map.h"

namespace eta {

namespace {

// One unary op: out = f(a); its backward is dfdx(g, a) elementwise over the saved input.
template <class F, class D>
Tensor unary(const Tensor& a, const char* name, const char* backward_name, const F& f, const D& dfdx) {
  Tensor out = map1(a, name, f);
  const Tensor sa = a.detach();
  return autograd::record(name, out, {a}, [sa, backward_name, dfdx](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{map2(g, sa, backward_name, dfdx)};
  });
}

}  // namespace

// records: sin, cos, square, rsqrt, reciprocal, log1p, expm1, erf
Tensor sin(const Tensor& a) {
  return unary(a, "sin", "sin_backward", [](auto x) { return std::sin(x); },
               [](auto g, auto x) { return g * std::cos(x); });
}

Tensor cos(const Tensor& a) {
  return unary(a, "cos", "cos_backward", [](auto x) { return std::cos(x); },
               [](auto g, auto x) { return -g * std::sin(x); });
}

Tensor square(const Tensor& a) {
  return unary(a, "square", "square_backward", [](auto x) { return x * x; },
               [](auto g, auto x) { return g * (x + x); });
}

Tensor rsqrt(const Tensor& a) {
  return unary(a, "rsqrt", "rsqrt_backward", [](auto x) { return decltype(x)(1) / std::sqrt(x); },
               [](auto g, auto x) {
                 using T = decltype(x);
                 const T r = T(1) / std::sqrt(x);
                 return g * T(-0.5) * r * r * r;
               });
}

Tensor reciprocal(const Tensor& a) {
  return unary(a, "reciprocal", "reciprocal_backward", [](auto x) { return decltype(x)(1) / x; },
               [](auto g, auto x) { return -g / (x * x); });
}

Tensor log1p(const Tensor& a) {
  return unary(a, "log1p", "log1p_backward", [](auto x) { return std::log1p(x); },
               [](auto g, auto x) { return g / (decltype(x)(1) + x); });
}

Tensor expm1(const Tensor& a) {
  return unary(a, "expm1", "expm1_backward", [](auto x) { return std::expm1(x); },
               [](auto g, auto x) { return g * std::exp(x); });
}

Tensor erf(const Tensor& a) {
  return unary(a, "erf", "erf_backward", [](auto x) { return std::erf(x); },
               [](auto g, auto x) {
                 using T = decltype(x);
                 return g * static_cast<T>(2.0 / std::sqrt(std::numbers::pi)) * std::exp(-x * x);
               });
}

// The gradient of sign is zero where it exists (PyTorch's convention at 0 too).
Tensor sign(const Tensor& a) {
  Tensor out = map1(a, "sign", [](auto x) {
    using T = decltype(x);
    return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);  // NaN stays NaN, -0 stays -0
  });
  return autograd::record("sign", out, {a}, [](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{zeros_like(g)};
  });
}

}  // namespace eta
