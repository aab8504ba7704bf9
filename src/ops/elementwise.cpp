// Elementwise arithmetic with broadcasting; each op's backward sits right after its forward.
// Gradients of broadcast inputs are summed back to the input's shape (sum_to). Closures keep the
// inputs they need with their history and, under create_graph, build their gradients from recorded
// ops (ops/chain.h), so every gradient here can be differentiated again.
#include "eta/ops/elementwise.h"

#include <cmath>

#include "eta/autograd/node.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "ops/chain.h"
#include "ops/map.h"

namespace eta {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    ETA_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
              " cannot be broadcast together (dim ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Shape broadcast_strides_to(const Tensor& t, const Shape& target, const char* op) {
  const Shape& s = t.shape();
  ETA_CHECK(s.size() <= target.size(), op, ": cannot broadcast shape ", shape_str(s), " to ", shape_str(target));
  Shape out(target.size(), 0);
  const size_t lead = target.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    ETA_CHECK(s[i] == target[lead + i] || s[i] == 1, op, ": cannot broadcast shape ", shape_str(s), " to ",
              shape_str(target));
    out[lead + i] = s[i] == 1 ? 0 : t.strides()[i];
  }
  return out;
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  const size_t lead = t.shape().size() - shape.size();
  Shape dims;
  for (size_t i = 0; i < t.shape().size(); ++i)
    if (i < lead || (shape[i - lead] == 1 && t.shape()[i] != 1)) dims.push_back(static_cast<int64_t>(i));
  return sum(t, dims, /*keepdim=*/true).reshape(shape);
}

static Tensor scalar_like(const Tensor& t, double v) { return scalar_tensor(v, t.dtype()); }

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = map2(a, b, "add", [](auto x, auto y) { return x + y; });
  const Shape sa = a.shape(), sb = b.shape();
  return autograd::record("add", out, {a, b}, [sa, sb](const Tensor& g, const NeedsGrad& need) {
    return std::vector<Tensor>{need[0] ? sum_to(g, sa) : Tensor(), need[1] ? sum_to(g, sb) : Tensor()};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = map2(a, b, "sub", [](auto x, auto y) { return x - y; });
  const Shape sa = a.shape(), sb = b.shape();
  return autograd::record("sub", out, {a, b}, [sa, sb](const Tensor& g, const NeedsGrad& need) {
    return std::vector<Tensor>{need[0] ? sum_to(g, sa) : Tensor(), need[1] ? sum_to(neg(g), sb) : Tensor()};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = map2(a, b, "mul", [](auto x, auto y) { return x * y; });
  const Tensor sa = a, sb = b;
  return autograd::record("mul", out, {a, b}, [sa, sb](const Tensor& g, const NeedsGrad& need) {
    return std::vector<Tensor>{need[0] ? sum_to(mul(g, sb), sa.shape()) : Tensor(),
                               need[1] ? sum_to(mul(g, sa), sb.shape()) : Tensor()};
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = map2(a, b, "div", [](auto x, auto y) { return x / y; });
  const Tensor sa = a, sb = b, so = out.detach();
  return autograd::record("div", out, {a, b}, [sa, sb, so](const Tensor& g, const NeedsGrad& need) {
    // d(a/b)/db = -(a/b)/b, written with the saved output to avoid recomputing a/b (but recomputed
    // under create_graph, where the output's history is needed).
    Tensor gb;
    if (need[1])
      gb = autograd::differentiable_backward()
               ? neg(div(mul(g, div(sa, sb)), sb))
               : map3(g, so, sb, "div_backward", [](auto gv, auto o, auto y) { return -gv * o / y; });
    return std::vector<Tensor>{need[0] ? sum_to(div(g, sb), sa.shape()) : Tensor(),
                               need[1] ? sum_to(gb, sb.shape()) : Tensor()};
  });
}

Tensor add(const Tensor& a, double b) { return add(a, scalar_like(a, b)); }
Tensor sub(const Tensor& a, double b) { return sub(a, scalar_like(a, b)); }
Tensor mul(const Tensor& a, double b) { return mul(a, scalar_like(a, b)); }
Tensor div(const Tensor& a, double b) { return div(a, scalar_like(a, b)); }

Tensor neg(const Tensor& a) {
  Tensor out = map1(a, "neg", [](auto x) { return -x; });
  return autograd::record("neg", out, {a}, [](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{neg(g)};
  });
}

Tensor pow(const Tensor& a, double p) {
  Tensor out = map1(a, "pow", [p](auto x) { return std::pow(x, static_cast<decltype(x)>(p)); });
  const Tensor sa = a;
  return autograd::record("pow", out, {a}, [sa, p](const Tensor& g, const NeedsGrad&) {
    const auto fused = [p](auto gv, auto x) {
      using T = decltype(x);
      return p == 0 ? T(0) : gv * static_cast<T>(p) * std::pow(x, static_cast<T>(p - 1));
    };
    if (p == 0) return std::vector<Tensor>{masked_chain(g, sa, "pow_backward", fused)};
    return std::vector<Tensor>{chain(g, sa, "pow_backward", fused, [p](const Tensor& x) { return mul(pow(x, p - 1), p); })};
  });
}

namespace {
// pow(a, e)'s gradients from recorded ops, for create_graph: the same cases as the fused formulas
// (zero where e == 0 for a, zero where a == 0 for e).
std::vector<Tensor> pow_backward_recorded(const Tensor& g, const Tensor& a, const Tensor& e, const NeedsGrad& need) {
  Tensor ga, ge;
  if (need[0]) {
    const Tensor e_zero = eq(e.detach(), zeros_like(e));
    ga = sum_to(where(e_zero, zeros_like(g), mul(g, mul(e, pow(a, sub(e, 1.0))))), a.shape());
  }
  if (need[1]) {
    const Tensor a_zero = eq(a.detach(), zeros_like(a));
    const Tensor safe_a = where(a_zero, ones_like(a), a);  // log(0) would poison the other branch's gradient
    ge = sum_to(where(a_zero, zeros_like(g), mul(g, mul(pow(safe_a, e), log(safe_a)))), e.shape());
  }
  return {ga, ge};
}
}  // namespace

Tensor pow(const Tensor& a, const Tensor& e) {
  Tensor out = map2(a, e, "pow", [](auto x, auto y) { return std::pow(x, y); });
  const Tensor sa = a, se = e, so = out.detach();
  return autograd::record("pow", out, {a, e}, [sa, se, so](const Tensor& g, const NeedsGrad& need) {
    if (autograd::differentiable_backward()) return pow_backward_recorded(g, sa, se, need);
    Tensor ga, ge;
    if (need[0])
      ga = sum_to(map3(g, sa, se, "pow_backward", [](auto gv, auto x, auto y) {
                    using T = decltype(x);
                    return y == T(0) ? T(0) : gv * y * std::pow(x, y - T(1));
                  }),
                  sa.shape());
    if (need[1])
      // d(x^y)/dy = x^y ln x; PyTorch defines it as 0 where x == 0 (and y >= 0).
      ge = sum_to(map3(g, so, sa, "pow_backward", [](auto gv, auto o, auto x) {
                    using T = decltype(x);
                    return x == T(0) ? T(0) : gv * o * std::log(x);
                  }),
                  se.shape());
    return std::vector<Tensor>{ga, ge};
  });
}

Tensor exp(const Tensor& a) {
  Tensor out = map1(a, "exp", [](auto x) { return std::exp(x); });
  const Tensor sa = a, so = out.detach();
  return autograd::record("exp", out, {a}, [sa, so](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{mul(g, autograd::differentiable_backward() ? exp(sa) : so)};
  });
}

Tensor log(const Tensor& a) {
  Tensor out = map1(a, "log", [](auto x) { return std::log(x); });
  const Tensor sa = a;
  return autograd::record("log", out, {a}, [sa](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{div(g, sa)};
  });
}

Tensor sqrt(const Tensor& a) {
  Tensor out = map1(a, "sqrt", [](auto x) { return std::sqrt(x); });
  const Tensor sa = a, so = out.detach();
  return autograd::record("sqrt", out, {a}, [sa, so](const Tensor& g, const NeedsGrad&) {
    if (autograd::differentiable_backward()) return std::vector<Tensor>{div(g, mul(sqrt(sa), 2.0))};
    return std::vector<Tensor>{map2(g, so, "sqrt_backward", [](auto gv, auto y) { return gv / (y + y); })};
  });
}

Tensor abs(const Tensor& a) {
  Tensor out = map1(a, "abs", [](auto x) { return std::abs(x); });
  const Tensor sa = a.detach();
  return autograd::record("abs", out, {a}, [sa](const Tensor& g, const NeedsGrad&) {
    // sign(0) = 0, as PyTorch.
    return std::vector<Tensor>{masked_chain(g, sa, "abs_backward", [](auto gv, auto x) {
      using T = decltype(x);
      return x > T(0) ? gv : (x < T(0) ? -gv : T(0));
    })};
  });
}

// maximum/minimum: the gradient goes to the chosen input, split in half on ties (PyTorch).
// records: maximum, minimum
static Tensor extremum(const Tensor& a, const Tensor& b, bool is_max, const char* name) {
  Tensor out = is_max ? map2(a, b, name, [](auto x, auto y) { return std::isnan(x) || x > y ? x : y; })
                      : map2(a, b, name, [](auto x, auto y) { return std::isnan(x) || x < y ? x : y; });
  const Tensor sa = a.detach(), sb = b.detach();
  return autograd::record(name, out, {a, b}, [sa, sb, is_max, name](const Tensor& g, const NeedsGrad& need) {
    const auto share = [is_max](auto gv, auto x, auto y) {
      using T = decltype(x);
      if (x == y) return gv / T(2);
      return (is_max ? x > y : x < y) ? gv : T(0);
    };
    // Under create_graph the share (1, 1/2 or 0) is a constant mask times the recorded g.
    const auto side = [&](const Tensor& x, const Tensor& y) {
      if (!autograd::differentiable_backward()) return map3(g, x, y, name, share);
      return mul(g, map2(x, y, name, [&share](auto xv, auto yv) { return share(decltype(xv)(1), xv, yv); }));
    };
    Tensor ga, gb;
    if (need[0]) ga = sum_to(side(sa, sb), sa.shape());
    if (need[1]) gb = sum_to(side(sb, sa), sb.shape());
    return std::vector<Tensor>{ga, gb};
  });
}

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true, "maximum"); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false, "minimum"); }

Tensor clamp(const Tensor& a, double lo, double hi) {
  ETA_CHECK(!(lo > hi), "clamp: min ", lo, " is greater than max ", hi);
  Tensor out = map1(a, "clamp", [lo, hi](auto x) {
    using T = decltype(x);
    return std::isnan(x) ? x : std::min(std::max(x, static_cast<T>(lo)), static_cast<T>(hi));
  });
  const Tensor sa = a.detach();
  return autograd::record("clamp", out, {a}, [sa, lo, hi](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{masked_chain(g, sa, "clamp_backward", [lo, hi](auto gv, auto x) {
      using T = decltype(x);
      return (x >= static_cast<T>(lo) && x <= static_cast<T>(hi)) ? gv : T(0);
    })};
  });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  ETA_CHECK(is_floating(cond.dtype()), "where: the condition must be a float mask (0/1), got ",
            dtype_name(cond.dtype()));
  const Tensor c = cond.dtype() == a.dtype() ? cond : cond.to(a.dtype());
  Tensor out = map3(c, a, b, "where", [](auto m, auto x, auto y) { return m != 0 ? x : y; });
  const Tensor sc = c.detach();
  const Shape sa = a.shape(), sb = b.shape();
  return autograd::record("where", out, {a, b}, [sc, sa, sb](const Tensor& g, const NeedsGrad& need) {
    Tensor ga, gb;
    if (need[0]) ga = sum_to(masked_chain(g, sc, "where_backward", [](auto gv, auto m) { return m != 0 ? gv : decltype(gv)(0); }), sa);
    if (need[1]) gb = sum_to(masked_chain(g, sc, "where_backward", [](auto gv, auto m) { return m != 0 ? decltype(gv)(0) : gv; }), sb);
    return std::vector<Tensor>{ga, gb};
  });
}

Tensor gt(const Tensor& a, const Tensor& b) {
  return map2(a, b, "gt", [](auto x, auto y) { return x > y ? decltype(x)(1) : decltype(x)(0); });
}
Tensor eq(const Tensor& a, const Tensor& b) {
  return map2(a, b, "eq", [](auto x, auto y) { return x == y ? decltype(x)(1) : decltype(x)(0); });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(b, a), b); }

}  // namespace eta
