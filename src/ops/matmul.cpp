// matmul and linear over BLAS GEMM. A matrix operand is passed to BLAS as-is when one of its two
// strides is 1 (a transposed view becomes a transpose flag); only other layouts are copied.
// Legend: a is (..., M, K), b is (..., K, N), out is (..., M, N); x is (N, in), weight (out, in).
#include "eta/ops/matmul.h"

#include "eta/autograd/node.h"
#include "eta/ops/elementwise.h"
#include "eta/ops/reduction.h"
#include "eta/tensor/factory.h"
#include "kernels/blas.h"
#include "ops/map.h"

namespace eta {

namespace {

struct MatrixLayout {
  bool trans = false;
  int64_t ld = 0;
};

// How BLAS can read the last two dims of `t` (rows r, cols c) without a copy, if it can.
bool blas_layout(const Tensor& t, MatrixLayout& layout) {
  const int64_t r = t.size(-2), c = t.size(-1);
  const int64_t s0 = t.stride(-2), s1 = t.stride(-1);
  if ((s1 == 1 || c == 1) && s0 >= std::max<int64_t>(1, c)) {
    layout = {false, s0};
    return true;
  }
  if ((s0 == 1 || r == 1) && s1 >= std::max<int64_t>(1, r)) {
    layout = {true, s1};
    return true;
  }
  return false;
}

// Batched product without autograd. a and b are already expanded to a common batch shape.
Tensor matmul_values(Tensor a, Tensor b) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Shape out_shape(a.shape().begin(), a.shape().end() - 2);
  out_shape.push_back(m);
  out_shape.push_back(n);
  // GEMM with beta = 0 writes every output element, so only an empty product needs zeros.
  if (m == 0 || n == 0 || k == 0) return zeros(out_shape, a.dtype());
  Tensor out = empty(out_shape, a.dtype());
  MatrixLayout la, lb;
  if (!blas_layout(a, la)) a = a.contiguous(), blas_layout(a, la);
  if (!blas_layout(b, lb)) b = b.contiguous(), blas_layout(b, lb);
  const int64_t batch = out.numel() / (m * n);
  const int64_t nb = a.dim() - 2;
  dispatch_floating(a.dtype(), "matmul", [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < batch; ++i) {
      // Batch offsets from the (possibly broadcast, stride-0) batch strides.
      int64_t oa = 0, ob = 0, rem = i;
      for (int64_t d = nb - 1; d >= 0; --d) {
        const int64_t idx = rem % out_shape[d];
        rem /= out_shape[d];
        oa += idx * a.strides()[d];
        ob += idx * b.strides()[d];
      }
      kernels::gemm(la.trans, lb.trans, m, n, k, T(1), a.data_ptr<T>() + oa, la.ld, b.data_ptr<T>() + ob, lb.ld, T(0),
                    out.data_ptr<T>() + i * m * n, n);
    }
  });
  return out;
}

Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  ETA_CHECK(a.size(-1) == b.size(-2), "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
            " cannot be multiplied (", a.size(-2), "x", a.size(-1), " and ", b.size(-2), "x", b.size(-1), ")");
  const Shape batch = broadcast_shapes(Shape(a.shape().begin(), a.shape().end() - 2),
                                       Shape(b.shape().begin(), b.shape().end() - 2), "matmul");
  Shape ea = batch, eb = batch;
  ea.insert(ea.end(), a.shape().end() - 2, a.shape().end());
  eb.insert(eb.end(), b.shape().end() - 2, b.shape().end());
  Tensor out = matmul_values(a.detach().expand(ea), b.detach().expand(eb));
  const Tensor sa = a, sb = b;  // with their history, for create_graph
  return autograd::record("matmul", out, {a, b}, [sa, sb](const Tensor& g, const NeedsGrad& need) {
    Tensor ga, gb;
    if (need[0]) ga = sum_to(matmul(g, sb.transpose(-1, -2)), sa.shape());
    if (need[1]) gb = sum_to(matmul(sa.transpose(-1, -2), g), sb.shape());
    return std::vector<Tensor>{ga, gb};
  });
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "matmul");
  ETA_CHECK(is_floating(a.dtype()), "matmul: expected float tensors, got ", dtype_name(a.dtype()));
  ETA_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dim, got shapes ",
            shape_str(a.shape()), " and ", shape_str(b.shape()));
  // 1-D operands are promoted to matrices and the added dim removed again (torch.matmul rules).
  if (a.dim() == 1 && b.dim() == 1) {
    ETA_CHECK(a.size(0) == b.size(0), "matmul: 1-D tensors of different sizes ", shape_str(a.shape()), " and ",
              shape_str(b.shape()));
    return matmul_nd(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  }
  if (a.dim() == 1) return matmul_nd(a.unsqueeze(0), b).squeeze(-2);
  if (b.dim() == 1) return matmul_nd(a, b.unsqueeze(1)).squeeze(-1);
  return matmul_nd(a, b);
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_same_dtype(x, weight, "linear");
  ETA_CHECK(weight.dim() == 2, "linear: weight must be 2-D (out_features, in_features), got ", shape_str(weight.shape()));
  ETA_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input is ", shape_str(x.shape()), " but weight is ",
            shape_str(weight.shape()), " (the input's last dim must be ", weight.size(1), ")");
  const int64_t out_f = weight.size(0), in_f = weight.size(1);
  if (bias.defined()) {
    check_same_dtype(x, bias, "linear");
    ETA_CHECK(bias.dim() == 1 && bias.size(0) == out_f, "linear: bias is ", shape_str(bias.shape()), " but weight is ",
              shape_str(weight.shape()), " (expected bias [", out_f, "])");
  }
  const Tensor x2 = x.detach().reshape({-1, in_f});
  const int64_t n = x2.size(0);
  Shape out_shape = x.shape();
  out_shape.back() = out_f;
  Tensor out = empty({n, out_f}, x.dtype());
  MatrixLayout lx, lw;
  Tensor xc = blas_layout(x2, lx) ? x2 : x2.contiguous();
  blas_layout(xc, lx);
  Tensor wc = blas_layout(weight, lw) ? weight.detach() : weight.detach().contiguous();
  blas_layout(wc, lw);
  dispatch_floating(x.dtype(), "linear", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    // Seed the output with the bias rows so that one GEMM with beta = 1 adds x W^T on top.
    T beta = T(0);
    if (bias.defined()) {
      const Tensor bc = bias.detach().contiguous();
      const T* bp = bc.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < out_f; ++j) o[i * out_f + j] = bp[j];
      beta = T(1);
    }
    if (n > 0 && out_f > 0 && in_f > 0)
      kernels::gemm(lx.trans, !lw.trans, n, out_f, in_f, T(1), xc.data_ptr<T>(), lx.ld, wc.data_ptr<T>(), lw.ld, beta, o,
                    out_f);
    else if (!bias.defined())
      for (int64_t i = 0; i < n * out_f; ++i) o[i] = T(0);
  });
  out = out.reshape(out_shape);
  const Tensor sw = weight;  // with its history, for create_graph
  const Shape x_shape = x.shape();
  const bool has_bias = bias.defined();
  return autograd::record("linear", out, {x, weight, bias}, [x, x2, sw, x_shape, has_bias](const Tensor& g, const NeedsGrad& need) {
    const Tensor sx = autograd::differentiable_backward() ? x.reshape({-1, sw.size(1)}) : x2;
    const Tensor g2 = g.reshape({-1, sw.size(0)});
    Tensor gx, gw, gb;
    if (need[0]) gx = matmul(g2, sw).reshape(x_shape);
    if (need[1]) gw = matmul(g2.t(), sx);
    if (has_bias && need[2]) gb = sum(g2, {0});
    return std::vector<Tensor>{gx, gw, gb};
  });
}

}  // namespace eta
