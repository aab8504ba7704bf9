// DistributedDataParallel: model check and broadcast at construction, gradient buckets after backward.
#include "eta/dist/ddp.h"

#include <cstring>
#include <map>

#include "dist/backend.h"
#include "dist/fnv.h"
#include "dist/watchdog.h"
#include "eta/dist/collectives.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"
#include "eta/tensor/grad_mode.h"
#include "eta/util/parse.h"
#include "tensor/dispatch.h"

namespace eta::dist {

namespace {

// One line per parameter and buffer: what every rank's model must agree on.
std::vector<std::string> describe(const nn::Module& m) {
  std::vector<std::string> lines;
  for (const auto& [name, t] : m.named_parameters())
    lines.push_back("parameter " + name + " " + shape_str(t.shape()) + " " + dtype_name(t.dtype()));
  for (const auto& [name, t] : m.named_buffers())
    lines.push_back("buffer " + name + " " + shape_str(t.shape()) + " " + dtype_name(t.dtype()));
  return lines;
}

// Every rank learns of any rank whose model differs from rank 0's, and all throw the same error.
void check_same_model(const nn::Module& m) {
  const std::vector<std::string> all = dist::all_gather(util::join_lines(describe(m)));
  const std::vector<std::string> reference = util::split_lines(all[0]);
  for (size_t r = 1; r < all.size(); ++r) {
    const std::vector<std::string> other = util::split_lines(all[r]);
    if (other == reference) continue;
    size_t i = 0;
    while (i < reference.size() && i < other.size() && reference[i] == other[i]) ++i;
    const std::string a = i < reference.size() ? reference[i] : "(nothing more)";
    const std::string b = i < other.size() ? other[i] : "(nothing more)";
    detail::throw_error("DistributedDataParallel: the ranks' models differ: rank 0 has ", a, ", rank ", r, " has ", b,
                        " (every rank must build the same model)");
  }
}

void broadcast_in_place(Tensor t) {
  if (t.is_contiguous()) return dist::broadcast(t, 0);
  Tensor copy = t.contiguous();
  dist::broadcast(copy, 0);
  t.copy_(copy);
}

template <class T>
void pack(const Tensor& grad, double scale, T* out, int64_t n) {
  if (!grad.defined()) {
    std::memset(out, 0, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  const Tensor g = grad.contiguous();
  const T* src = g.data_ptr<T>();
  if (scale == 1.0) {
    std::memcpy(out, src, static_cast<size_t>(n) * sizeof(T));
  } else {
    const T s = static_cast<T>(scale);
    for (int64_t i = 0; i < n; ++i) out[i] = src[i] * s;
  }
}

template <class T>
void unpack(const T* in, double scale, Tensor& param) {
  Tensor grad = param.grad();
  if (!grad.defined() || !grad.is_contiguous()) grad = empty(param.shape(), param.dtype());
  T* dst = grad.data_ptr<T>();
  const int64_t n = param.numel();
  if (scale == 1.0) {
    std::memcpy(dst, in, static_cast<size_t>(n) * sizeof(T));
  } else {
    const T s = static_cast<T>(scale);
    for (int64_t i = 0; i < n; ++i) dst[i] = in[i] * s;
  }
  if (!param.grad().defined() || param.grad().impl() != grad.impl()) param.set_grad(grad);
}

}  // namespace

DistributedDataParallel::DistributedDataParallel(nn::Module& module, DistributedDataParallelOptions options)
    : module_(&module) {
  ETA_CHECK(options.bucket_cap_mb >= 1, "DistributedDataParallel: bucket_cap_mb is ", options.bucket_cap_mb,
            ", must be at least 1");
  check_same_model(module);
  NoGradGuard no_grad;
  for (const auto& [name, t] : module.named_parameters()) {
    broadcast_in_place(t);
    params_.push_back(t);
  }
  for (const auto& [name, t] : module.named_buffers()) broadcast_in_place(t);
  plan_buckets(options.bucket_cap_mb << 20);
}

// Buckets in reverse registration order (the order backward produces gradients), one dtype each.
void DistributedDataParallel::plan_buckets(int64_t cap_bytes) {
  std::map<DType, size_t> open;  // the bucket being filled, per dtype
  for (size_t k = params_.size(); k-- > 0;) {
    if (!params_[k].requires_grad()) continue;
    const DType d = params_[k].dtype();
    const int64_t elem = static_cast<int64_t>(dtype_size(d));
    const auto it = open.find(d);
    if (it == open.end() || (buckets_[it->second].grad_elements + params_[k].numel()) * elem > cap_bytes) {
      buckets_.push_back(Bucket{.dtype = d});
      open[d] = buckets_.size() - 1;
    }
    Bucket& b = buckets_[open[d]];
    b.params.push_back(k);
    b.grad_elements += params_[k].numel();
  }
  for (auto& b : buckets_)
    b.flat = empty({b.grad_elements + static_cast<int64_t>(b.params.size()) + 1}, b.dtype);
}

void DistributedDataParallel::sync_gradients(int64_t local_examples) {
  ETA_CHECK(local_examples >= 0, "DistributedDataParallel::sync_gradients: local_examples is ", local_examples);
  if (no_sync_depth_ == 0) reduce(static_cast<double>(local_examples));
}

void DistributedDataParallel::sum_gradients() {
  if (no_sync_depth_ == 0) reduce(-1.0);
}

// local_examples < 0: the gradients are already weighted, sum them; otherwise weight by share.
void DistributedDataParallel::reduce(double local_examples) {
  watch::set_step(syncs_);
  ++syncs_;
  if (world_size() == 1) return;  // one process: its gradients are the global ones, untouched
  const bool weighted = local_examples >= 0;
  for (auto& b : buckets_) {
    dispatch_floating(b.dtype, "DistributedDataParallel", [&](auto tag) {
      using T = decltype(tag);
      T* flat = b.flat.data_ptr<T>();
      T* flags = flat + b.grad_elements;
      int64_t at = 0;
      for (size_t i = 0; i < b.params.size(); ++i) {
        const Tensor& p = params_[b.params[i]];
        pack<T>(p.grad(), weighted ? local_examples : 1.0, flat + at, p.numel());
        flags[i] = p.grad().defined() ? T(1) : T(0);
        at += p.numel();
      }
      flags[b.params.size()] = static_cast<T>(weighted ? local_examples : 0.0);
      dist::all_reduce(b.flat);
      const double total = static_cast<double>(flags[b.params.size()]);
      ETA_CHECK(!weighted || total > 0, "DistributedDataParallel::sync_gradients: no rank had any example");
      at = 0;
      for (size_t i = 0; i < b.params.size(); ++i) {
        Tensor p = params_[b.params[i]];
        if (flags[i] > T(0)) unpack<T>(flat + at, weighted ? 1.0 / total : 1.0, p);
        at += p.numel();
      }
    });
  }
}

int64_t DistributedDataParallel::rank() const { return backend::rank(); }
int64_t DistributedDataParallel::world_size() const { return backend::size(); }

void DistributedDataParallel::all_reduce(std::vector<double>& values, train::ReduceOp op) {
  dist::all_reduce(values, op);
}

std::vector<std::string> DistributedDataParallel::all_gather(const std::string& text) { return dist::all_gather(text); }

bool DistributedDataParallel::replicas_equal() {
  uint64_t h = kFnvOffset;
  for (const Tensor& p : params_) {
    const Tensor c = p.contiguous();
    h = fnv1a(c.raw_data(), static_cast<size_t>(c.numel()) * dtype_size(c.dtype()), h);
  }
  std::vector<double> extremes{fingerprint(h), -fingerprint(h)};
  dist::all_reduce(extremes, train::ReduceOp::Max);
  return extremes[0] == -extremes[1];
}

}  // namespace eta::dist
