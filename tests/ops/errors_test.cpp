// Bad input raises eta::Error naming the op and the shapes or values at fault; plus the coverage
// check: every op src/ops records has a parity/gradcheck case and an error case.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "nn/nn_cases.h"
#include "ops/op_cases.h"
#include "recorded_ops.h"

namespace eta::testing {
namespace {

struct ErrorCase {
  std::string op;
  std::function<void()> fn;
  std::vector<std::string> must_mention;
};

const std::vector<ErrorCase>& error_cases() {
  static const Tensor a23 = zeros({2, 3}), a34 = zeros({3, 4}), a4 = zeros({4}), a24 = zeros({2, 4});
  static const Tensor d23 = zeros({2, 3}, kFloat64), idx = from_vector(std::vector<int64_t>{0, 5}, {2});
  static const std::vector<ErrorCase> cases = {
      {"add", [] { add(a23, a34); }, {"add", "[2, 3]", "[3, 4]"}},
      {"add", [] { add(a23, d23); }, {"add", "dtype", "float32", "float64"}},
      {"sub", [] { sub(a23, a4); }, {"sub", "[2, 3]", "[4]"}},
      {"mul", [] { mul(a34, a23); }, {"mul", "[3, 4]", "[2, 3]"}},
      {"div", [] { div(a23, a24); }, {"div", "[2, 3]", "[2, 4]"}},
      {"neg", [] { neg(idx); }, {"neg", "int64"}},
      {"pow", [] { pow(a23, a34); }, {"pow", "[2, 3]", "[3, 4]"}},
      {"exp", [] { exp(idx); }, {"exp", "int64"}},
      {"log", [] { log(idx); }, {"log", "int64"}},
      {"sqrt", [] { sqrt(idx); }, {"sqrt", "int64"}},
      {"abs", [] { abs(idx); }, {"abs", "int64"}},
      {"sin", [] { sin(idx); }, {"sin", "int64"}},
      {"cos", [] { cos(idx); }, {"cos", "int64"}},
      {"square", [] { square(idx); }, {"square", "int64"}},
      {"rsqrt", [] { rsqrt(idx); }, {"rsqrt", "int64"}},
      {"reciprocal", [] { reciprocal(idx); }, {"reciprocal", "int64"}},
      {"sign", [] { sign(idx); }, {"sign", "int64"}},
      {"log1p", [] { log1p(idx); }, {"log1p", "int64"}},
      {"expm1", [] { expm1(idx); }, {"expm1", "int64"}},
      {"erf", [] { erf(idx); }, {"erf", "int64"}},
      {"maximum", [] { maximum(a23, a34); }, {"maximum", "[2, 3]", "[3, 4]"}},
      {"minimum", [] { minimum(a23, d23); }, {"minimum", "float32", "float64"}},
      {"clamp", [] { clamp(a23, 1, -1); }, {"clamp", "min 1", "max -1"}},
      {"where", [] { where(a23, a23, a34); }, {"where", "[2, 3]", "[3, 4]"}},
      {"relu", [] { relu(idx); }, {"relu", "int64"}},
      {"leaky_relu", [] { leaky_relu(idx); }, {"leaky_relu", "int64"}},
      {"sigmoid", [] { sigmoid(idx); }, {"sigmoid", "int64"}},
      {"tanh", [] { tanh(idx); }, {"tanh", "int64"}},
      {"gelu", [] { gelu(idx); }, {"gelu", "int64"}},
      {"softplus", [] { softplus(a23, -1); }, {"softplus", "beta", "-1"}},
      {"sum", [] { sum(a23, {2}); }, {"sum", "dim 2", "rank 2"}},
      {"sum", [] { sum(a23, {1, -1}); }, {"sum", "twice"}},
      {"mean", [] { mean(a23, {-3}); }, {"mean", "dim -3"}},
      {"max", [] { max(zeros({0, 3})); }, {"max", "empty", "[0, 3]"}},
      {"min", [] { min(a23, {5}); }, {"min", "dim 5"}},
      {"var", [] { var(a23, {4}); }, {"var", "dim 4"}},
      {"matmul", [] { matmul(zeros({64, 1568}), zeros({6272, 10})); }, {"matmul", "64x1568", "6272x10"}},
      {"matmul", [] { matmul(a23, d23.t()); }, {"matmul", "dtype"}},
      {"matmul", [] { matmul(a4, zeros({3})); }, {"matmul", "[4]", "[3]"}},
      {"linear", [] { linear(zeros({8, 100}), zeros({10, 784})); }, {"linear", "[8, 100]", "[10, 784]"}},
      {"linear", [] { linear(zeros({8, 784}), zeros({10, 784}), zeros({5})); }, {"linear", "bias", "[5]"}},
      {"softmax", [] { softmax(a23, 2); }, {"softmax", "dim 2"}},
      {"log_softmax", [] { log_softmax(a23, -3); }, {"log_softmax", "dim -3"}},
      {"cat", [] { cat({a23, a34}, 0); }, {"cat", "[3, 4]", "[2, 3]"}},
      {"cat", [] { cat({}, 0); }, {"cat", "empty"}},
      {"stack", [] { stack({a23, a34}); }, {"stack", "[3, 4]", "[2, 3]"}},
      {"gather", [] { gather(a23, 1, from_vector(std::vector<int64_t>{0, 3}, {1, 2})); }, {"gather", "index 3", "size 3"}},
      {"gather", [] { gather(a23, 1, a23); }, {"gather", "int64", "float32"}},
      {"index_select", [] { index_select(a23, 0, idx); }, {"index_select", "index 5", "size 2"}},
      {"reshape", [] { a23.reshape({4, 2}); }, {"reshape", "[4, 2]", "[2, 3]"}},
      {"reshape", [] { a23.reshape({-1, -1}); }, {"reshape", "-1"}},
      {"transpose", [] { a23.transpose(0, 2); }, {"transpose", "dim 2", "rank 2"}},
      {"permute", [] { a23.permute({0, 0}); }, {"permute", "repeated"}},
      {"permute", [] { a23.permute({0}); }, {"permute", "[2, 3]"}},
      {"slice", [] { a23.slice(0, 0, 1, 0); }, {"slice", "step"}},
      {"select", [] { a23.select(0, 2); }, {"select", "index 2", "size 2"}},
      {"squeeze", [] { a23.squeeze(3); }, {"squeeze", "dim 3"}},
      {"expand", [] { a23.expand({4, 3}); }, {"expand", "[2, 3]", "[4, 3]"}},
      {"contiguous", [] { Tensor().contiguous(); }, {"undefined"}},
      {"clone", [] { Tensor().clone(); }, {"undefined"}},
      {"unsqueeze", [] { a23.unsqueeze(3); }, {"unsqueeze", "dim 3", "rank 3"}},
      {"to", [] { Tensor().to(kFloat64); }, {"undefined"}},
      {"conv2d", [] { conv2d(zeros({1, 3, 5, 5}), zeros({4, 2, 3, 3})); }, {"conv2d", "[1, 3, 5, 5]", "[4, 2, 3, 3]"}},
      {"conv2d", [] { conv2d(zeros({1, 2, 2, 2}), zeros({4, 2, 3, 3})); }, {"conv2d", "kernel 3x3", "2x2"}},
      {"max_pool2d", [] { max_pool2d(a23, {2, 2}); }, {"max_pool2d", "4-D", "[2, 3]"}},
      {"avg_pool2d", [] { avg_pool2d(zeros({1, 1, 4, 4}), {2, 2}, {2, 2}, {2, 2}); }, {"avg_pool2d", "padding (2, 2)", "half"}},
      {"batch_norm", [] { batch_norm(a23, zeros({2}), ones({3}), Tensor(), Tensor(), false); }, {"batch_norm", "[2]", "[2, 3]"}},
      {"batch_norm_relu", [] { batch_norm_relu(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true); },
       {"batch_norm_relu", "more than 1 value per channel", "[1, 3]"}},
      {"view", [] { a34.t().view({12}); }, {"view", "not contiguous", "[4, 3]"}},
      {"at", [] { a23.at({0, 3}); }, {"at", "index 3", "size 3"}},
      {"item", [] { a23.item(); }, {"item", "[2, 3]"}},
      {"from_vector", [] { from_vector(std::vector<float>{1, 2, 3}, {2, 2}); }, {"from_vector", "[2, 2]", "3 values"}},
      {"backward", [] { Tensor x = ones({2}).requires_grad_(); (x * 2.0).backward(); }, {"backward", "[2]"}},
      {"backward", [] { ones({2}).sum().backward(); }, {"backward", "does not require grad"}},
  };
  return cases;
}

TEST(Errors, EveryBadInputRaisesANamedError) {
  for (const ErrorCase& c : error_cases()) {
    try {
      c.fn();
      ADD_FAILURE() << c.op << ": no exception";
    } catch (const Error& e) {
      const std::string msg = e.what();
      for (const std::string& part : c.must_mention)
        EXPECT_NE(msg.find(part), std::string::npos) << c.op << ": message \"" << msg << "\" lacks \"" << part << "\"";
    }
  }
}

// recorded_ops() is generated at build time from every autograd::record name in src/ops/*.cpp
// (tests/ops/recorded_ops.cmake), so a new op without cases fails here without anyone listing it.
// A case in op_cases.h or nn_cases.h runs the float64 and float32 parity tests and the float64
// gradcheck.
TEST(Coverage, EveryRecordedOpHasParityGradcheckAndErrorCases) {
  std::set<std::string> with_case, with_error;
  for (const OpCase& c : op_cases()) with_case.insert(c.op);
  for (const NnCase& c : nn_cases()) with_case.insert(c.op);
  for (const ErrorCase& c : error_cases()) with_error.insert(c.op);
  ASSERT_GE(recorded_ops().size(), 40u) << "the scan of src/ops found too few autograd::record names";
  // Ops named *_backward are the recorded gradients of other ops (recorded only under
  // create_graph, with no inputs of their own to check): each is covered by the gradgradcheck of
  // the op whose backward it is, which every case above runs (gradcheck_test.cpp, functional_test.cpp).
  const std::map<std::string, std::string> backward_of = {
      {"avg_pool2d_backward", "avg_pool2d"},    {"conv2d_input_backward", "conv2d"},
      {"conv2d_weight_backward", "conv2d"},     {"gather_backward", "gather"},
      {"index_select_backward", "index_select"}, {"slice_backward", "slice"}};
  for (const std::string& op : recorded_ops()) {
    if (op.size() > 9 && op.compare(op.size() - 9, 9, "_backward") == 0) {
      const auto it = backward_of.find(op);
      ASSERT_TRUE(it != backward_of.end()) << op << " is a recorded backward op missing from backward_of: name the op "
                                           << "whose gradgradcheck covers it";
      EXPECT_TRUE(with_case.count(it->second)) << op << ": its op " << it->second << " has no case";
      continue;
    }
    EXPECT_TRUE(with_case.count(op)) << op << " is recorded by src/ops but has no parity/gradcheck case in op_cases.h "
                                     << "or nn_cases.h";
    EXPECT_TRUE(with_error.count(op)) << op << " is recorded by src/ops but has no error case in errors_test.cpp";
  }
}

}  // namespace
}  // namespace eta::testing
