// Curvature tools: Hessian-vector products against PyTorch (a small MLP and a small CNN with batch
// norm, tests/fixtures/gen_hvp.py), closed forms on quadratics (λ_max to 1e-6, Lanczos, the
// preconditioned sharpness, gradient descent diverging exactly past 2/λ_max), determinism, and a
// measurement that leaves parameters, gradients, buffers and random streams untouched.
#include <gtest/gtest.h>

#include <cmath>

#include "eta/eta.h"
#include "support/errors.h"
#include "support/fixtures.h"

namespace eta::testing {
namespace {

// Symmetric A = Q diag(lambdas) Q with Q a Householder reflection (orthogonal and symmetric).
Tensor symmetric_with_eigenvalues(const std::vector<double>& lambdas) {
  const int64_t n = static_cast<int64_t>(lambdas.size());
  std::vector<double> u(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) u[static_cast<size_t>(i)] = 1.0 + 0.5 * static_cast<double>(i);
  double uu = 0;
  for (double x : u) uu += x * x;
  std::vector<double> q(static_cast<size_t>(n * n)), a(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      q[static_cast<size_t>(i * n + j)] = (i == j ? 1.0 : 0.0) - 2 * u[static_cast<size_t>(i)] * u[static_cast<size_t>(j)] / uu;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k)
        a[static_cast<size_t>(i * n + j)] +=
            q[static_cast<size_t>(i * n + k)] * lambdas[static_cast<size_t>(k)] * q[static_cast<size_t>(k * n + j)];
  return from_vector(a, {n, n}, kFloat64);
}

// 1/2 xᵀ A x, whose Hessian is A.
std::function<Tensor()> quadratic(const Tensor& a, const Tensor& x) {
  return [a, x] { return mul(sum(mul(x, matmul(a, x))), 0.5); };
}

TEST(Curvature, PowerIterationFindsTheTopEigenvalueOfAQuadratic) {
  const Tensor a = symmetric_with_eigenvalues({5, 2, -1, 0.5, 3});
  Tensor x = from_vector(std::vector<double>{0.3, -1, 2, 0.1, 0.7}, {5}, kFloat64).requires_grad_();
  const train::HessianOperator h({x}, quadratic(a, x));
  const train::EigenResult r = train::top_hessian_eigenvalue(h, {.max_iter = 1000, .tol = 1e-13});
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.value, 5, 1e-6);
  // Its vector is an eigenvector: A v = 5 v.
  const std::vector<double> av = matmul(a, r.vector[0]).to_vector(), v = r.vector[0].to_vector();
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(av[i], 5 * v[i], 1e-5);
  const std::vector<double> top = train::top_hessian_eigenvalues(h, 3, 5);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_NEAR(top[0], 5, 1e-9);
  EXPECT_NEAR(top[1], 3, 1e-9);
  EXPECT_NEAR(top[2], 2, 1e-9);
}

TEST(Curvature, LambdaMaxIsTheLargestEigenvalueEvenWhenANegativeOneDominates) {
  const Tensor a = symmetric_with_eigenvalues({-6, 2, 1, -0.5});
  Tensor x = from_vector(std::vector<double>{0.3, -1, 2, 0.1}, {4}, kFloat64).requires_grad_();
  const train::EigenResult r =
      train::top_hessian_eigenvalue(train::HessianOperator({x}, quadratic(a, x)), {.max_iter = 2000, .tol = 1e-13});
  EXPECT_NEAR(r.value, 2, 1e-6);
}

TEST(Curvature, HessianVectorProductOfAQuadraticIsAv) {
  const Tensor a = symmetric_with_eigenvalues({4, 1, 0.5});
  Tensor x = from_vector(std::vector<double>{1, 2, 3}, {3}, kFloat64).requires_grad_();
  const Tensor v = from_vector(std::vector<double>{0.5, -1, 2}, {3}, kFloat64);
  const std::vector<Tensor> hv = train::hessian_vector_product({x}, quadratic(a, x), {v});
  const std::vector<double> want = matmul(a, v).to_vector(), got = hv[0].to_vector();
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], want[i], 1e-14);
}

TEST(Curvature, GradientDescentDivergesExactlyPastTwoOverLambdaMax) {
  const Tensor a = symmetric_with_eigenvalues({5, 2, 1, 0.5});
  const auto final_norm = [&](double lr) {
    Tensor x = from_vector(std::vector<double>{1, -1, 0.5, 2}, {4}, kFloat64).requires_grad_();
    optim::SGD opt({x}, {.lr = lr});
    for (int step = 0; step < 3000; ++step) {
      opt.zero_grad();
      quadratic(a, x)().backward();
      opt.step();
    }
    return std::sqrt(sum(mul(x, x)).item());
  };
  Tensor x0 = from_vector(std::vector<double>{1, -1, 0.5, 2}, {4}, kFloat64).requires_grad_();
  const double lambda = train::top_hessian_eigenvalue(train::HessianOperator({x0}, quadratic(a, x0)),
                                                      {.max_iter = 1000, .tol = 1e-14}).value;
  EXPECT_LT(final_norm(0.99 * 2 / lambda), 1e-3);  // stable: the top direction shrinks by |1 − ηλ| < 1
  EXPECT_GT(final_norm(1.01 * 2 / lambda), 1e3);   // unstable: it grows by 1.02 per step
}

TEST(Curvature, PreconditionedSharpnessIsTheTopEigenvalueOfPInverseH) {
  // H = diag(4, 1, 9) and P = diag(2, 0.5, 3): P⁻¹H = diag(2, 2, 3).
  const Tensor hdiag = from_vector(std::vector<double>{4, 1, 9}, {3}, kFloat64);
  Tensor x = from_vector(std::vector<double>{1, 1, 1}, {3}, kFloat64).requires_grad_();
  const train::HessianOperator h({x}, [&] { return mul(sum(mul(hdiag, mul(x, x))), 0.5); });
  const Tensor p = from_vector(std::vector<double>{2, 0.5, 3}, {3}, kFloat64);
  const train::EigenResult r = train::preconditioned_sharpness(h, {p}, {.max_iter = 500, .tol = 1e-14});
  EXPECT_NEAR(r.value, 3, 1e-9);
  EXPECT_NEAR(std::fabs(r.vector[0].to_vector()[2]), 1, 1e-6);
  EXPECT_NE(error_of([&] { train::preconditioned_sharpness(h, {from_vector(std::vector<double>{1, 0, 1}, {3}, kFloat64)}); })
                .find("non-positive"),
            std::string::npos);
}

TEST(Curvature, AdamPreconditionerFollowsItsState) {
  Tensor w = from_vector(std::vector<double>{1, -2}, {2}, kFloat64).requires_grad_();
  optim::Adam opt({w}, {.lr = 0.1});
  EXPECT_NE(error_of([&] { train::adam_preconditioner(opt); }).find("no exp_avg_sq"), std::string::npos);
  sum(mul(w, w)).backward();  // g = 2w = (2, -4)
  opt.step();
  const std::vector<double> p = train::adam_preconditioner(opt)[0].to_vector();
  // v = (1 − 0.999) g², bias-corrected back to g²: P = (|g| + 1e-8) / 0.1.
  EXPECT_NEAR(p[0], (2 + 1e-8) / 0.1, 1e-9);
  EXPECT_NEAR(p[1], (4 + 1e-8) / 0.1, 1e-9);
}

// With amsgrad Adam divides by the running maximum of v: after a step with a zero gradient v
// shrinks, its maximum does not, and the preconditioner must follow the maximum.
TEST(Curvature, AdamPreconditionerFollowsTheMaximumUnderAmsgrad) {
  Tensor w = from_vector(std::vector<double>{1, -2}, {2}, kFloat64).requires_grad_();
  optim::Adam opt({w}, {.lr = 0.1, .amsgrad = true});
  sum(mul(w, w)).backward();  // g = (2, -4)
  opt.step();
  opt.zero_grad();
  sum(mul(w, 0.0)).backward();  // g = 0: v = 0.999 v, below its maximum
  opt.step();
  const double bias2 = 1 - std::pow(0.999, 2);
  const std::vector<double> vmax = opt.state(0).tensors.at("max_exp_avg_sq").to_vector();
  const std::vector<double> p = train::adam_preconditioner(opt)[0].to_vector();
  for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(p[i], (std::sqrt(vmax[i] / bias2) + 1e-8) / 0.1, 1e-9);
  EXPECT_NEAR(p[0], (std::sqrt(0.001 * 4 / bias2) + 1e-8) / 0.1, 1e-9);  // (2, -4)'s first step
}

TEST(Curvature, MeasuringLeavesModelGradientsBuffersAndRandomStreamsUntouched) {
  Generator gen(7);
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Linear>(4, 6, true, gen));
  model->push_back(std::make_shared<nn::BatchNorm1d>(6));
  model->push_back(std::make_shared<nn::ReLU>());
  model->push_back(std::make_shared<nn::Linear>(6, 3, true, gen));
  const Tensor x = randn({8, 4}, kFloat32, gen);
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1}, {8});
  const auto loss_fn = [&] { return cross_entropy(model->forward(x), y); };
  optim::SGD optimizer(model->parameters(), {.lr = 0.1, .momentum = 0.9});
  loss_fn().backward();
  optimizer.step();      // some optimizer state to keep
  loss_fn().backward();  // and some .grad
  const auto snapshot = [&] {
    std::vector<std::vector<double>> all;
    for (const auto& [name, p] : model->named_parameters()) {
      all.push_back(p.to_vector());
      all.push_back(p.grad().to_vector());
    }
    for (const auto& [name, b] : model->named_buffers()) all.push_back(b.to_vector());
    return all;
  };
  const auto before = snapshot();
  const auto global_stream = default_generator().state();
  const auto state_before = optimizer.state_dict();
  const train::HessianOperator h(*model, loss_fn);
  const train::EigenResult r1 = train::top_hessian_eigenvalue(h, {.max_iter = 30, .seed = 3});
  train::top_hessian_eigenvalues(h, 2, 6, 3);
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(default_generator().state(), global_stream);
  for (const auto& [name, t] : optimizer.state_dict()) EXPECT_EQ(t.to_vector(), state_before.at(name).to_vector()) << name;
  EXPECT_GT(r1.value, 0);
  // The same seed repeats bit for bit.
  const train::EigenResult r2 = train::top_hessian_eigenvalue(train::HessianOperator(*model, loss_fn), {.max_iter = 30, .seed = 3});
  EXPECT_EQ(r1.history, r2.history);
}

TEST(Curvature, BadArgumentsAreNamed) {
  Tensor x = from_vector(std::vector<double>{1, 2}, {2}, kFloat64).requires_grad_();
  const Tensor c = from_vector(std::vector<double>{1, 2}, {2}, kFloat64);
  EXPECT_NE(error_of([&] { train::HessianOperator({c}, [&] { return sum(c); }); }).find("does not require grad"),
            std::string::npos);
  EXPECT_NE(error_of([&] { train::HessianOperator({x}, [&] { return mul(x, 2.0); }); }).find("one-element"),
            std::string::npos);
  const train::HessianOperator h({x}, [&] { return sum(mul(x, x)); });
  EXPECT_NE(error_of([&] { h.apply({from_vector(std::vector<double>{1}, {1}, kFloat64)}); }).find("shape"),
            std::string::npos);
  EXPECT_NE(error_of([&] { train::top_hessian_eigenvalues(h, 3); }).find("k (3)"), std::string::npos);
}

class HvpParity : public ::testing::TestWithParam<std::string> {};

// Loss of the fixture's model: the MLP (2 linear layers) or the CNN (conv, batch norm, pool, linear).
Tensor fixture_loss(const std::string& name, const Tensor& x, const Tensor& t, const std::vector<Tensor>& p) {
  if (name == "hvp_mlp") return cross_entropy(linear(relu(linear(x, p[0], p[1])), p[2], p[3]), t);
  Tensor h = conv2d(x, p[0], p[1], {1, 1}, {1, 1});
  h = batch_norm(h, Tensor(), Tensor(), p[2], p[3], true);
  h = max_pool2d(relu(h), {2, 2});
  return cross_entropy(linear(h.flatten(1), p[4], p[5]), t);
}

TEST_P(HvpParity, MatchesPyTorch) {
  static const auto cases = load_cases("hvp_cases.txt");
  const FixtureCase& f = cases.at(GetParam());
  const size_t n = (f.inputs.size() - 2) / 2;
  const Tensor x = make_input(f.inputs[0], kFloat64), t = make_input(f.inputs[1], kFloat64);
  std::vector<Tensor> params, v;
  for (size_t i = 0; i < n; ++i) params.push_back(make_input(f.inputs[2 + i], kFloat64).requires_grad_());
  for (size_t i = 0; i < n; ++i) v.push_back(make_input(f.inputs[2 + n + i], kFloat64));
  const std::vector<Tensor> hv =
      train::hessian_vector_product(params, [&] { return fixture_loss(GetParam(), x, t, params); }, v);
  std::vector<double> flat;
  for (const Tensor& h : hv)
    for (double d : h.to_vector()) flat.push_back(d);
  expect_close(flat, f.output.values, 1e-10, 1e-8, GetParam() + " H v");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HvpParity, ::testing::Values("hvp_mlp", "hvp_cnn"));

}  // namespace
}  // namespace eta::testing
