// The Dataset base (single examples and batches through gather), TensorDataset, Subset and
// random_split.
#include "eta/data/dataset.h"

#include <cmath>
#include <cstring>
#include <numeric>

#include "eta/error.h"
#include "eta/tensor/generator.h"
#include "util/mix64.h"

namespace eta::data {

namespace {

int64_t product(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Shape with_batch(int64_t n, const Shape& s) {
  Shape out{n};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

}  // namespace

int64_t ExampleSpec::input_numel() const { return product(input_shape); }
int64_t ExampleSpec::target_numel() const { return product(target_shape); }

std::string ExampleSpec::to_string() const {
  return "input " + shape_str(input_shape) + " " + dtype_name(input_dtype) + ", target " + shape_str(target_shape) +
         " " + dtype_name(target_dtype);
}

std::string Dataset::describe() const { return "dataset of " + std::to_string(size()) + " examples"; }

void Dataset::check_index(int64_t index) const {
  ETA_CHECK(index >= 0 && index < size(), describe(), ": index ", index, " out of range for ", size(), " examples");
}

Example Dataset::get_batch(const std::vector<int64_t>& indices) const {
  const ExampleSpec s = spec();
  const auto n = static_cast<int64_t>(indices.size());
  Example out{empty(with_batch(n, s.input_shape), s.input_dtype), empty(with_batch(n, s.target_shape), s.target_dtype)};
  gather(indices.data(), n, out.input, out.target);
  return out;
}

Example Dataset::get(int64_t index) const {
  check_index(index);
  Example b = get_batch({index});
  return {b.input.select(0, 0), b.target.select(0, 0)};
}

// ---- TensorDataset ----

TensorDataset::TensorDataset(const Tensor& inputs, const Tensor& targets, int64_t num_classes)
    : num_classes_(num_classes) {
  ETA_CHECK(inputs.defined() && targets.defined(), "TensorDataset: inputs and targets must be defined tensors");
  ETA_CHECK(inputs.dim() >= 1 && targets.dim() >= 1, "TensorDataset: inputs ", shape_str(inputs.shape()),
            " and targets ", shape_str(targets.shape()), " need a first (example) dimension");
  ETA_CHECK(inputs.size(0) == targets.size(0), "TensorDataset: inputs ", shape_str(inputs.shape()), " hold ",
            inputs.size(0), " examples but targets ", shape_str(targets.shape()), " hold ", targets.size(0));
  ETA_CHECK(num_classes >= 0, "TensorDataset: num_classes is ", num_classes, ", must be 0 (not classes) or more");
  // Copies detached from any graph: a data set holds data, not autograd history.
  inputs_ = inputs.detach().clone();
  targets_ = targets.detach().clone();
  size_ = inputs.size(0);
  spec_.input_shape = Shape(inputs.shape().begin() + 1, inputs.shape().end());
  spec_.input_dtype = inputs.dtype();
  spec_.target_shape = Shape(targets.shape().begin() + 1, targets.shape().end());
  spec_.target_dtype = targets.dtype();
  if (num_classes > 0) {
    ETA_CHECK(targets.dtype() == kInt64 && targets.dim() == 1, "TensorDataset: class targets must be int64 [N], got ",
              dtype_name(targets.dtype()), " ", shape_str(targets.shape()));
    const int64_t* t = targets_.data_ptr<int64_t>();
    for (int64_t i = 0; i < size_; ++i)
      ETA_CHECK(t[i] >= 0 && t[i] < num_classes, "TensorDataset: target ", t[i], " of example ", i,
                " is outside 0-", num_classes - 1);
  }
}

std::string TensorDataset::describe() const {
  return "TensorDataset (" + std::to_string(size_) + " examples, " + spec_.to_string() + ")";
}

void TensorDataset::gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const {
  const size_t in_bytes = static_cast<size_t>(spec_.input_numel()) * dtype_size(spec_.input_dtype);
  const size_t tg_bytes = static_cast<size_t>(spec_.target_numel()) * dtype_size(spec_.target_dtype);
  auto* in = static_cast<char*>(input.raw_data());
  auto* tg = static_cast<char*>(target.raw_data());
  const auto* src_in = static_cast<const char*>(inputs_.raw_data());
  const auto* src_tg = static_cast<const char*>(targets_.raw_data());
  for (int64_t k = 0; k < n; ++k) {
    check_index(indices[k]);
    std::memcpy(in + k * in_bytes, src_in + indices[k] * in_bytes, in_bytes);
    std::memcpy(tg + k * tg_bytes, src_tg + indices[k] * tg_bytes, tg_bytes);
  }
}

// ---- Subset ----

Subset::Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices)
    : base_(std::move(base)), indices_(std::move(indices)) {
  ETA_CHECK(base_ != nullptr, "Subset: the base data set is null");
  const int64_t n = base_->size();
  for (size_t i = 0; i < indices_.size(); ++i)
    ETA_CHECK(indices_[i] >= 0 && indices_[i] < n, "Subset: index ", indices_[i], " (entry ", i, ") out of range for ",
              base_->describe(), " with ", n, " examples");
}

std::string Subset::describe() const {
  return "Subset of " + std::to_string(indices_.size()) + " from " + base_->describe();
}

void Subset::gather(const int64_t* indices, int64_t n, Tensor& input, Tensor& target) const {
  std::vector<int64_t> mapped(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    check_index(indices[k]);
    mapped[static_cast<size_t>(k)] = indices_[static_cast<size_t>(indices[k])];
  }
  base_->gather(mapped.data(), n, input, target);
}

// ---- random_split ----

namespace {
// The sum of random_split's lengths or fractions, each checked by `check`; the data set must exist.
template <class T, class Check>
T checked_sum(const std::shared_ptr<const Dataset>& base, const std::vector<T>& parts, const char* what,
              const Check& check) {
  ETA_CHECK(base != nullptr, "random_split: the data set is null");
  ETA_CHECK(!parts.empty(), "random_split: no ", what, " given");
  T total = 0;
  for (T part : parts) {
    check(part);
    total += part;
  }
  return total;
}
}  // namespace

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> base,
                                                  const std::vector<int64_t>& lengths, uint64_t seed) {
  const int64_t total = checked_sum(base, lengths, "lengths",
                                    [](int64_t l) { ETA_CHECK(l >= 0, "random_split: length ", l, " is negative"); });
  ETA_CHECK(total == base->size(), "random_split: lengths add up to ", total, " but ", base->describe(), " has ",
            base->size(), " examples");
  std::vector<int64_t> perm(static_cast<size_t>(total));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  Generator gen(util::mix64(seed ^ 0x7a3c1e5f9b2d4c61ULL));
  for (int64_t i = total - 1; i > 0; --i)
    std::swap(perm[static_cast<size_t>(i)], perm[gen.next_below(static_cast<uint64_t>(i) + 1)]);
  std::vector<std::shared_ptr<Subset>> out;
  auto it = perm.begin();
  for (int64_t l : lengths) {
    out.push_back(std::make_shared<Subset>(base, std::vector<int64_t>(it, it + l)));
    it += l;
  }
  return out;
}

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> base,
                                                  const std::vector<double>& fractions, uint64_t seed) {
  const double sum = checked_sum(base, fractions, "fractions", [](double f) {
    ETA_CHECK(f >= 0 && f <= 1, "random_split: fraction ", f, " is outside [0, 1]");
  });
  ETA_CHECK(std::abs(sum - 1) < 1e-9, "random_split: fractions add up to ", sum, ", not 1");
  const int64_t n = base->size();
  std::vector<int64_t> lengths;
  int64_t assigned = 0;
  for (double f : fractions) {
    lengths.push_back(static_cast<int64_t>(std::floor(f * static_cast<double>(n))));
    assigned += lengths.back();
  }
  for (size_t i = 0; assigned < n; i = (i + 1) % lengths.size(), ++assigned) ++lengths[i];
  return random_split(std::move(base), lengths, seed);
}

}  // namespace eta::data
