// The one table of op cases that the parity, gradcheck, view and coverage tests iterate. Each case
// name matches one in tests/fixtures/gen_ops.py; `op` names the op it exercises as the op records
// itself (the coverage test checks every name src/ops records has a case here or in nn_cases.h).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "eta/eta.h"

namespace eta::testing {

using OpFn = std::function<Tensor(const std::vector<Tensor>&)>;

struct OpCase {
  std::string name;
  std::string op;  // the name the op records (autograd::record), checked by the coverage test
  OpFn fn;
  double gradcheck_eps = 0;  // the finite-difference step when the default (1e-6) cannot work
};

// Lets GoogleTest print a case by name instead of dumping its bytes.
inline void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

inline const std::vector<OpCase>& op_cases() {
  using V = const std::vector<Tensor>&;
  static const std::vector<OpCase> cases = {
      {"add", "add", [](V x) { return x[0] + x[1]; }},
      {"add_broadcast", "add", [](V x) { return add(x[0], x[1]); }},
      {"add_strided", "add", [](V x) { return x[0] + x[1]; }},
      {"sub_broadcast", "sub", [](V x) { return x[0] - x[1]; }},
      {"mul_broadcast", "mul", [](V x) { return x[0] * x[1]; }},
      {"mul_strided", "mul", [](V x) { return mul(x[0], x[1]); }},
      {"div_broadcast", "div", [](V x) { return x[0] / x[1]; }},
      {"mul_scalar_dim", "mul", [](V x) { return x[0] * x[1]; }},
      {"neg", "neg", [](V x) { return -x[0]; }},
      {"pow_scalar", "pow", [](V x) { return pow(x[0], 2.5); }},
      {"pow_tensor", "pow", [](V x) { return pow(x[0], x[1]); }},
      {"exp", "exp", [](V x) { return exp(x[0]); }},
      {"exp_strided", "exp", [](V x) { return exp(x[0]); }},
      {"log", "log", [](V x) { return log(x[0]); }},
      {"sqrt", "sqrt", [](V x) { return sqrt(x[0]); }},
      {"abs", "abs", [](V x) { return abs(x[0]); }},
      {"sin", "sin", [](V x) { return sin(x[0]); }},
      {"cos", "cos", [](V x) { return cos(x[0]); }},
      {"square", "square", [](V x) { return square(x[0]); }},
      {"rsqrt", "rsqrt", [](V x) { return rsqrt(x[0]); }},
      {"reciprocal", "reciprocal", [](V x) { return reciprocal(x[0]); }},
      {"sign", "sign", [](V x) { return sign(x[0]); }},
      {"log1p", "log1p", [](V x) { return log1p(x[0]); }},
      {"expm1", "expm1", [](V x) { return expm1(x[0]); }},
      {"erf", "erf", [](V x) { return erf(x[0]); }},
      {"method_forms", "max",
       [](V x) {
         const Tensor& a = x[0];
         return add((a.abs().sqrt() + a.square().sin().cos() + a.tanh() + a.sigmoid()).max({1}), a.min());
       }},
      {"maximum_broadcast", "maximum", [](V x) { return maximum(x[0], x[1]); }},
      {"minimum", "minimum", [](V x) { return minimum(x[0], x[1]); }},
      {"clamp", "clamp", [](V x) { return clamp(x[0], -0.5, 0.5); }},
      {"where", "where", [](V x) { return where(x[0], x[1], x[2]); }},
      {"relu", "relu", [](V x) { return relu(x[0]); }},
      {"relu_strided", "relu", [](V x) { return relu(x[0]); }},
      {"leaky_relu", "leaky_relu", [](V x) { return leaky_relu(x[0], 0.1); }},
      {"sigmoid", "sigmoid", [](V x) { return sigmoid(x[0]); }},
      {"tanh", "tanh", [](V x) { return tanh(x[0]); }},
      {"gelu", "gelu", [](V x) { return gelu(x[0]); }},
      {"softplus", "softplus", [](V x) { return softplus(x[0], 2, 5); }},
      {"sum_all", "sum", [](V x) { return sum(x[0]); }},
      {"sum_dims", "sum", [](V x) { return sum(x[0], {0, 2}); }},
      {"sum_keepdim", "sum", [](V x) { return sum(x[0], {1}, true); }},
      {"sum_leading", "sum", [](V x) { return sum(x[0], {0}); }},
      {"sum_strided", "sum", [](V x) { return sum(x[0], {1}); }},
      {"mean_dim", "mean", [](V x) { return mean(x[0], {-1}); }},
      {"mean_all", "mean", [](V x) { return mean(x[0]); }},
      {"max_dim", "max", [](V x) { return max(x[0], {1}); }},
      {"max_all", "max", [](V x) { return max(x[0]); }},
      {"min_keepdim", "min", [](V x) { return min(x[0], {0}, true); }},
      {"var_dim", "var", [](V x) { return var(x[0], {1}); }},
      {"var_all", "var", [](V x) { return var(x[0]); }},
      {"matmul_2d", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_transposed", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_batched_broadcast", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_batched", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_matvec", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_vecmat", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"matmul_dot", "matmul", [](V x) { return matmul(x[0], x[1]); }},
      {"linear", "linear", [](V x) { return linear(x[0], x[1], x[2]); }},
      {"linear_nobias_3d", "linear", [](V x) { return linear(x[0], x[1]); }},
      {"softmax_last", "softmax", [](V x) { return softmax(x[0], -1); }},
      {"softmax_dim0", "softmax", [](V x) { return softmax(x[0], 0); }},
      {"log_softmax_last", "log_softmax", [](V x) { return log_softmax(x[0], 1); }},
      {"log_softmax_dim1_3d", "log_softmax", [](V x) { return log_softmax(x[0], 1); }},
      {"cat_dim1", "cat", [](V x) { return cat({x[0], x[1]}, 1); }},
      {"stack_dim1", "stack", [](V x) { return stack({x[0], x[1]}, 1); }},
      {"gather_dim1", "gather", [](V x) { return gather(x[0], 1, x[1]); }},
      {"index_select_dim0", "index_select", [](V x) { return index_select(x[0], 0, x[1]); }},
      {"reshape", "reshape", [](V x) { return x[0].reshape({4, 3}); }},
      {"reshape_strided", "reshape", [](V x) { return x[0].reshape({-1}); }},
      {"transpose", "transpose", [](V x) { return x[0].transpose(0, 2); }},
      {"permute", "permute", [](V x) { return x[0].permute({2, 0, 1}); }},
      {"slice_step", "slice", [](V x) { return x[0].slice(1, 1, 5, 2); }},
      {"select", "select", [](V x) { return x[0].select(1, 2); }},
      {"squeeze_unsqueeze", "squeeze", [](V x) { return x[0].squeeze(1).unsqueeze(0); }},
      {"expand", "expand", [](V x) { return x[0].expand({2, 3, 4}); }},
      {"contiguous", "contiguous", [](V x) { return x[0].contiguous(); }},
      {"clone", "clone", [](V x) { return x[0].clone(); }},
      {"view", "view", [](V x) { return x[0].view({4, 3}); }},
      {"unsqueeze", "unsqueeze", [](V x) { return x[0].unsqueeze(1); }},
      // float64 -> float32 -> float64 (float32 -> float64 -> float32 in the float32 run). The
      // inputs sit on a 2^-10 grid and the step is 2^-10, so every point gradcheck evaluates is
      // exact in float32 and the finite differences carry no rounding.
      {"to_float32_and_back", "to",
       [](V x) { return x[0].to(x[0].dtype() == kFloat64 ? kFloat32 : kFloat64).to(x[0].dtype()); }, 1.0 / 1024},
  };
  return cases;
}

}  // namespace eta::testing
