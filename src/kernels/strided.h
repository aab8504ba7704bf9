// Strided N-d loops for K operands (operand 0 is usually the output). Dims are coalesced where all
// operands are contiguous across them, the innermost dim becomes a tight loop, and the outer rows
// are split across threads. Strides are in elements; broadcast dims have stride 0.
// Legend: shape is the common (broadcast) shape; strides[k] are operand k's strides for it.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/parallel.h"

namespace eta::kernels {

template <int K>
struct StridedPlan {
  std::vector<int64_t> sizes;                   // coalesced, outermost first
  std::array<std::vector<int64_t>, K> strides;  // per operand, for `sizes`
};

template <int K>
StridedPlan<K> make_plan(const std::vector<int64_t>& shape,
                         const std::array<const std::vector<int64_t>*, K>& strides) {
  StridedPlan<K> plan;
  // Walk from the innermost dim outwards, merging a dim into the one inside it when every
  // operand's stride says they are laid out back to back.
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    if (!plan.sizes.empty()) {
      bool mergeable = true;
      for (int k = 0; k < K; ++k)
        if ((*strides[k])[d] != plan.strides[k].back() * plan.sizes.back()) mergeable = false;
      if (mergeable) {
        plan.sizes.back() *= shape[d];
        continue;
      }
    }
    plan.sizes.push_back(shape[d]);
    for (int k = 0; k < K; ++k) plan.strides[k].push_back((*strides[k])[d]);
  }
  if (plan.sizes.empty()) {  // a single element
    plan.sizes.push_back(1);
    for (int k = 0; k < K; ++k) plan.strides[k].push_back(0);
  }
  // Reverse to outermost-first.
  std::reverse(plan.sizes.begin(), plan.sizes.end());
  for (int k = 0; k < K; ++k) std::reverse(plan.strides[k].begin(), plan.strides[k].end());
  return plan;
}

// Calls row(offsets, inner_strides, n) for every innermost row, where offsets[k] is operand k's
// element offset of the row start. Rows are split across threads (grain in elements).
template <int K, class Row>
void for_each_row(const std::vector<int64_t>& shape,
                  const std::array<const std::vector<int64_t>*, K>& strides, int64_t grain,
                  const Row& row) {
  const StridedPlan<K> plan = make_plan<K>(shape, strides);
  const int64_t nd = static_cast<int64_t>(plan.sizes.size());
  const int64_t inner = plan.sizes[nd - 1];
  std::array<int64_t, K> inner_strides;
  for (int k = 0; k < K; ++k) inner_strides[k] = plan.strides[k][nd - 1];
  int64_t rows = 1;
  for (int64_t d = 0; d < nd - 1; ++d) rows *= plan.sizes[d];
  // Threads split the flat element range, not whole rows: a contiguous tensor coalesces into one
  // row, and few long rows would otherwise leave threads idle. A chunk may start and end inside a
  // row, so `row` gets the first element's offsets and a length of at most `inner`.
  parallel_for(0, rows * inner, grain, [&](int64_t e0, int64_t e1) {
    // Unravel the first row once, then step the counter like an odometer.
    std::vector<int64_t> idx(nd > 1 ? nd - 1 : 1, 0);
    std::array<int64_t, K> off{};
    int64_t rem = e0 / inner;
    for (int64_t d = nd - 2; d >= 0; --d) {
      idx[d] = rem % plan.sizes[d];
      rem /= plan.sizes[d];
      for (int k = 0; k < K; ++k) off[k] += idx[d] * plan.strides[k][d];
    }
    for (int64_t e = e0, i = e0 % inner; e < e1; i = 0) {
      const int64_t len = std::min(inner - i, e1 - e);
      std::array<int64_t, K> start = off;
      for (int k = 0; k < K; ++k) start[k] += i * inner_strides[k];
      row(start, inner_strides, len);
      e += len;
      for (int64_t d = nd - 2; d >= 0; --d) {
        ++idx[d];
        for (int k = 0; k < K; ++k) off[k] += plan.strides[k][d];
        if (idx[d] < plan.sizes[d]) break;
        for (int k = 0; k < K; ++k) off[k] -= idx[d] * plan.strides[k][d];
        idx[d] = 0;
      }
    }
  });
}

// out[i] = f(in[i]); out is contiguous with `shape`.
template <class T, class U, class F>
void unary_kernel(const std::vector<int64_t>& shape, const T* in, const std::vector<int64_t>& in_strides,
                  U* out, const F& f) {
  const std::vector<int64_t> out_strides = [&] {
    std::vector<int64_t> s(shape.size());
    int64_t acc = 1;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) { s[d] = acc; acc *= shape[d]; }
    return s;
  }();
  for_each_row<2>(shape, {&out_strides, &in_strides}, kElementwiseGrain,
                  [&](const std::array<int64_t, 2>& off, const std::array<int64_t, 2>& st, int64_t n) {
                    U* o = out + off[0];
                    const T* a = in + off[1];
                    if (st[1] == 1) {
                      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i * st[1]]);
                    }
                  });
}

// out[i] = f(a[i], b[i]) with broadcast strides; out is contiguous with `shape`.
template <class T, class U, class F>
void binary_kernel(const std::vector<int64_t>& shape, const T* a, const std::vector<int64_t>& a_strides,
                   const T* b, const std::vector<int64_t>& b_strides, U* out, const F& f) {
  std::vector<int64_t> out_strides(shape.size());
  int64_t acc = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) { out_strides[d] = acc; acc *= shape[d]; }
  for_each_row<3>(shape, {&out_strides, &a_strides, &b_strides}, kElementwiseGrain,
                  [&](const std::array<int64_t, 3>& off, const std::array<int64_t, 3>& st, int64_t n) {
                    U* o = out + off[0];
                    const T* x = a + off[1];
                    const T* y = b + off[2];
                    // The common cases get loops the compiler can vectorise.
                    if (st[1] == 1 && st[2] == 1) {
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
                    } else if (st[1] == 1 && st[2] == 0) {
                      const T yv = *y;
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
                    } else if (st[1] == 0 && st[2] == 1) {
                      const T xv = *x;
                      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i * st[1]], y[i * st[2]]);
                    }
                  });
}

// dst[i] = src[i] (with casting), both strided; src strides may be 0 (broadcast).
template <class D, class S>
void copy_kernel(const std::vector<int64_t>& shape, D* dst, const std::vector<int64_t>& dst_strides,
                 const S* src, const std::vector<int64_t>& src_strides) {
  for_each_row<2>(shape, {&dst_strides, &src_strides}, kElementwiseGrain,
                  [&](const std::array<int64_t, 2>& off, const std::array<int64_t, 2>& st, int64_t n) {
                    D* o = dst + off[0];
                    const S* s = src + off[1];
                    if (st[0] == 1 && st[1] == 1) {
                      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<D>(s[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = static_cast<D>(s[i * st[1]]);
                    }
                  });
}

}  // namespace eta::kernels
