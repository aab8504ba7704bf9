// Reads the op fixtures in tests/fixtures (written by gen_ops.py / gen_nn.py): per case, its inputs, the cotangent
// fed to backward, and PyTorch's output and input gradients, all float64 (indices int64).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eta/eta.h"
#include "support/fixture_lines.h"

namespace eta::testing {

struct FixtureTensor {
  std::string kind;  // plain, strided, nograd, int (inputs); empty otherwise
  Shape shape;
  std::vector<double> values;
};

struct FixtureCase {
  std::string name;
  std::vector<FixtureTensor> inputs;
  FixtureTensor cotangent, output;
  std::map<int, FixtureTensor> grads;  // by input position
};

inline FixtureTensor parse_tensor(std::istringstream& in, bool with_kind) {
  FixtureTensor t;
  if (with_kind) in >> t.kind;
  int64_t ndim = 0;
  in >> ndim;
  t.shape.resize(static_cast<size_t>(ndim));
  for (auto& s : t.shape) in >> s;
  std::string bar;
  in >> bar;
  t.values = read_numbers(in);
  return t;
}

// Loads tests/fixtures/<file> (ops_cases.txt, nn_cases.txt).
inline std::map<std::string, FixtureCase> load_cases(const std::string& name) {
  std::map<std::string, FixtureCase> cases;
  FixtureCase cur;
  read_fixture_lines(name, [&](const std::string& tag, std::istringstream& in) {
    if (tag == "case") in >> cur.name;
    else if (tag == "input") cur.inputs.push_back(parse_tensor(in, true));
    else if (tag == "cotangent") cur.cotangent = parse_tensor(in, false);
    else if (tag == "output") cur.output = parse_tensor(in, false);
    else if (tag == "grad") {
      int i;
      in >> i;
      cur.grads[i] = parse_tensor(in, false);
    } else if (tag == "end") {
      cases[cur.name] = cur;
      cur = FixtureCase();
    }
  });
  return cases;
}

// Builds the eta tensor for a fixture input: "strided" inputs become a transposed view (same
// logical values, non-contiguous memory); float inputs get `dtype`.
inline Tensor make_input(const FixtureTensor& f, DType dtype) {
  if (f.kind == "int") {
    std::vector<int64_t> iv(f.values.begin(), f.values.end());
    return from_vector(iv, f.shape);
  }
  Tensor t = from_vector(f.values, f.shape, dtype);
  if (f.kind == "strided" && t.dim() >= 2) {
    t = t.transpose(-1, -2).contiguous().transpose(-1, -2);
    EXPECT_FALSE(t.is_contiguous());
  }
  if (f.kind == "plain" || f.kind == "strided") t.requires_grad_();
  return t;
}

inline void expect_close(const std::vector<double>& got, const std::vector<double>& want, double atol, double rtol,
                         const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), atol + rtol * std::fabs(want[i]))
        << what << " element " << i << ": eta " << got[i] << " torch " << want[i];
}

using CaseFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Forward and every input gradient in float64 against torch.
inline void check_parity_f64(const std::string& name, const CaseFn& fn, const FixtureCase& f) {
  std::vector<Tensor> inputs;
  for (const auto& in : f.inputs) inputs.push_back(make_input(in, kFloat64));
  const Tensor out = fn(inputs);
  EXPECT_EQ(out.shape(), f.output.shape) << name;
  expect_close(out.to_vector(), f.output.values, 1e-12, 1e-9, name + " forward");
  if (f.grads.empty()) return;
  out.backward(from_vector(f.cotangent.values, f.cotangent.shape, kFloat64));
  for (const auto& [i, g] : f.grads) {
    const Tensor grad = inputs[static_cast<size_t>(i)].grad();
    ASSERT_TRUE(grad.defined()) << name << ": no gradient for input " << i;
    EXPECT_EQ(grad.shape(), g.shape) << name;
    expect_close(grad.to_vector(), g.values, 1e-12, 1e-9, name + " grad " + std::to_string(i));
  }
}

// Forward (and gradients, when `with_grads`) in float32 against torch's float64 values.
inline void check_parity_f32(const std::string& name, const CaseFn& fn, const FixtureCase& f, bool with_grads) {
  std::vector<Tensor> inputs;
  for (const auto& in : f.inputs) inputs.push_back(make_input(in, kFloat32));
  const Tensor out = fn(inputs);
  EXPECT_EQ(out.dtype(), kFloat32) << name;
  expect_close(out.to_vector(), f.output.values, 1e-5, 1e-5, name + " float32 forward");
  if (!with_grads || f.grads.empty()) return;
  out.backward(from_vector(f.cotangent.values, f.cotangent.shape, kFloat32));
  for (const auto& [i, g] : f.grads)
    expect_close(inputs[static_cast<size_t>(i)].grad().to_vector(), g.values, 1e-5, 1e-5,
                 name + " float32 grad " + std::to_string(i));
}

// Full-Jacobian gradcheck on the fixture inputs (which are drawn away from kinks).
inline void check_gradcheck(const std::string& name, const CaseFn& fn, const FixtureCase& f, double eps = 0) {
  std::vector<Tensor> inputs;
  for (const auto& in : f.inputs) inputs.push_back(make_input(in, kFloat64));
  if (f.grads.empty()) return;
  GradcheckOptions opt;
  opt.atol = 1e-8;  // far tighter than the 1e-5 floor TESTING.md sets
  opt.rtol = 1e-6;
  if (eps > 0) opt.eps = eps;
  const GradcheckResult r = gradcheck(fn, inputs, opt);
  EXPECT_TRUE(r.ok) << name << ": " << r.message;
  EXPECT_LT(r.max_abs_error, 1e-7) << name;
}

// Full second-order check (gradgradcheck) on the fixture inputs: the double-backward Jacobian
// against finite differences of the create_graph gradients.
inline void check_gradgradcheck(const std::string& name, const CaseFn& fn, const FixtureCase& f, double eps = 0) {
  std::vector<Tensor> inputs;
  for (const auto& in : f.inputs) inputs.push_back(make_input(in, kFloat64));
  if (f.grads.empty()) return;
  GradcheckOptions opt;
  opt.atol = 1e-7;
  opt.rtol = 1e-5;
  if (eps > 0) opt.eps = eps;
  const GradcheckResult r = gradgradcheck(fn, inputs, opt);
  EXPECT_TRUE(r.ok) << name << ": " << r.message;
  EXPECT_LT(r.max_abs_error, 1e-6) << name;
}

}  // namespace eta::testing
