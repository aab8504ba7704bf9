// Tensor collectives over the backend, each marked pending for the watchdog and, with
// ETA_DIST_DEBUG=1, preceded by a check that every rank is calling the same one.
#include "eta/dist/collectives.h"

#include <cstdio>
#include <cstring>
#include <sstream>

#include "dist/backend.h"
#include "dist/fnv.h"
#include "dist/watchdog.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta::dist {

namespace {

// ETA_DIST_DEBUG: all ranks must be about to run the same collective with the same element
// count; otherwise every rank throws a message listing what each rank was calling (instead of a
// hang or silently mixed data).
void agree_on_call(const char* name, int64_t count) {
  if (!watch::debug_calls() || backend::size() == 1) return;
  const double id = fingerprint(fnv1a(name, std::strlen(name)));
  double v[4] = {id, -id, static_cast<double>(count), -static_cast<double>(count)};
  backend::reduce_ordered(v, 4, kFloat64, train::ReduceOp::Max);
  if (v[0] == -v[1] && v[2] == -v[3]) return;
  constexpr int kText = 96;
  char mine[kText] = {};
  std::snprintf(mine, kText, "%s of %ld elements", name, static_cast<long>(count));
  std::vector<char> all(static_cast<size_t>(kText * backend::size()));
  backend::all_gather(mine, kText, all.data());
  std::ostringstream msg;
  msg << "eta.dist (ETA_DIST_DEBUG): the ranks call different collectives at step " << watch::step() << ":";
  for (int r = 0; r < backend::size(); ++r) msg << " rank " << r << ": " << &all[static_cast<size_t>(r * kText)] << ";";
  detail::throw_error(msg.str());
}

void check_float_contiguous(const Tensor& t, const char* op) {
  ETA_CHECK(t.defined(), "dist::", op, ": the tensor is undefined");
  ETA_CHECK(t.is_contiguous(), "dist::", op, ": the tensor ", shape_str(t.shape()), " must be contiguous");
}

}  // namespace

void all_reduce(Tensor& t, train::ReduceOp op) {
  check_float_contiguous(t, "all_reduce");
  agree_on_call("all_reduce", t.numel());
  watch::Pending pending("all_reduce", t.numel());
  backend::reduce_ordered(t.raw_data(), t.numel(), t.dtype(), op);
}

void all_reduce(std::vector<double>& values, train::ReduceOp op) {
  agree_on_call("all_reduce(double)", static_cast<int64_t>(values.size()));
  watch::Pending pending("all_reduce(double)", static_cast<int64_t>(values.size()));
  backend::reduce_ordered(values.data(), static_cast<int64_t>(values.size()), kFloat64, op);
}

void broadcast(Tensor& t, int64_t root) {
  check_float_contiguous(t, "broadcast");
  ETA_CHECK(root >= 0 && root < backend::size(), "dist::broadcast: root ", root, " is not a rank of ", backend::size());
  agree_on_call("broadcast", t.numel());
  watch::Pending pending("broadcast", t.numel());
  backend::broadcast(t.raw_data(), t.numel() * static_cast<int64_t>(dtype_size(t.dtype())), static_cast<int>(root));
}

Tensor all_gather(const Tensor& t) {
  ETA_CHECK(t.defined(), "dist::all_gather: the tensor is undefined");
  const Tensor in = t.contiguous();
  Shape shape{backend::size()};
  shape.insert(shape.end(), in.shape().begin(), in.shape().end());
  Tensor out = empty(shape, in.dtype());
  agree_on_call("all_gather", in.numel());
  watch::Pending pending("all_gather", in.numel());
  backend::all_gather(in.raw_data(), in.numel() * static_cast<int64_t>(dtype_size(in.dtype())), out.raw_data());
  return out;
}

std::vector<std::string> all_gather(const std::string& text) {
  const int W = backend::size();
  agree_on_call("all_gather(text)", 1);
  watch::Pending pending("all_gather(text)", static_cast<int64_t>(text.size()));
  std::vector<double> lengths(static_cast<size_t>(W), 0.0);
  lengths[static_cast<size_t>(backend::rank())] = static_cast<double>(text.size());
  backend::reduce_ordered(lengths.data(), W, kFloat64, train::ReduceOp::Max);
  size_t longest = 0;
  for (double l : lengths) longest = std::max(longest, static_cast<size_t>(l));
  std::vector<char> mine(longest, 0), all(longest * static_cast<size_t>(W));
  std::memcpy(mine.data(), text.data(), text.size());
  backend::all_gather(mine.data(), static_cast<int64_t>(longest), all.data());
  std::vector<std::string> out;
  for (int r = 0; r < W; ++r)
    out.emplace_back(all.data() + static_cast<size_t>(r) * longest, static_cast<size_t>(lengths[static_cast<size_t>(r)]));
  return out;
}

void barrier() {
  agree_on_call("barrier", 0);
  watch::Pending pending("barrier", 0);
  backend::barrier();
}

}  // namespace eta::dist
