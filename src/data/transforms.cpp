// Normalize / Standardize, RandomCrop and RandomHorizontalFlip on one example at a time, and the
// per-channel statistics that fit a Normalize to a training set.
#include "eta/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta::data {

namespace {

std::string list_str(const std::vector<double>& v) {
  std::ostringstream os;
  os.precision(6);
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  return os.str();
}

// Channels (first dimension) and elements per channel of an example.
std::pair<int64_t, int64_t> channels_of(const Shape& s) {
  if (s.empty()) return {1, 1};
  int64_t per = 1;
  for (size_t i = 1; i < s.size(); ++i) per *= s[i];
  return {s[0], per};
}

void check_image(const Shape& s, const std::string& who) {
  ETA_CHECK(s.size() == 3, who, ": expects images [C, H, W], got examples ", shape_str(s));
}

}  // namespace

ChannelStats channel_stats(const Dataset& dataset) {
  const ExampleSpec spec = dataset.spec();
  ETA_CHECK(is_floating(spec.input_dtype), "channel_stats: ", dataset.describe(), " has ", dtype_name(spec.input_dtype),
            " inputs; statistics need float32 or float64");
  ETA_CHECK(dataset.size() > 0, "channel_stats: ", dataset.describe(), " is empty");
  const auto [channels, per] = channels_of(spec.input_shape);
  std::vector<double> sum(static_cast<size_t>(channels)), sumsq(static_cast<size_t>(channels));
  // Chunks of examples keep memory bounded; sums run in index order, so the result is exact to repeat.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(1, spec.input_numel()));
  for (int64_t begin = 0; begin < dataset.size(); begin += chunk) {
    const int64_t n = std::min(chunk, dataset.size() - begin);
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) idx[static_cast<size_t>(k)] = begin + k;
    const Tensor x = dataset.get_batch(idx).input.to(kFloat64);
    const double* p = x.data_ptr<double>();
    for (int64_t k = 0; k < n; ++k)
      for (int64_t c = 0; c < channels; ++c) {
        double s = 0, q = 0;
        for (int64_t e = 0; e < per; ++e) {
          const double v = p[(k * channels + c) * per + e];
          s += v;
          q += v * v;
        }
        sum[static_cast<size_t>(c)] += s;
        sumsq[static_cast<size_t>(c)] += q;
      }
  }
  ChannelStats out;
  const double count = static_cast<double>(dataset.size()) * static_cast<double>(per);
  for (int64_t c = 0; c < channels; ++c) {
    const double mean = sum[static_cast<size_t>(c)] / count;
    out.mean.push_back(mean);
    out.std.push_back(std::sqrt(std::max(0.0, sumsq[static_cast<size_t>(c)] / count - mean * mean)));
  }
  return out;
}

// ---- Normalize ----

Normalize::Normalize(std::vector<double> mean, std::vector<double> std) : mean_(std::move(mean)), std_(std::move(std)) {
  ETA_CHECK(!mean_.empty() && mean_.size() == std_.size(), "Normalize: ", mean_.size(), " means and ", std_.size(),
            " stds; give one of each per channel (or one of each for all)");
  for (size_t c = 0; c < std_.size(); ++c)
    ETA_CHECK(std::isfinite(mean_[c]) && std::isfinite(std_[c]) && std_[c] > 0, "Normalize: channel ", c, " has mean ",
              mean_[c], " and std ", std_[c], "; need a finite mean and a positive, finite std");
}

std::shared_ptr<Normalize> Normalize::fit(const Dataset& dataset) {
  const ChannelStats s = channel_stats(dataset);
  for (size_t c = 0; c < s.std.size(); ++c)
    ETA_CHECK(s.std[c] > 0, "Normalize::fit: channel ", c, " of ", dataset.describe(),
              " is constant (std 0); use Standardize, which maps constant channels to 0");
  return std::make_shared<Normalize>(s.mean, s.std);
}

std::string Normalize::name() const { return "Normalize(mean=[" + list_str(mean_) + "], std=[" + list_str(std_) + "])"; }

Shape Normalize::output_shape(const Shape& in) const {
  const int64_t channels = channels_of(in).first;
  ETA_CHECK(mean_.size() == 1 || static_cast<int64_t>(mean_.size()) == channels, name(), ": has ", mean_.size(),
            " channels' statistics, but examples ", shape_str(in), " have ", channels, " channels");
  return in;
}

template <class T>
void Normalize::run(const T* in, T* out, const Shape& shape) const {
  const auto [channels, per] = channels_of(shape);
  for (int64_t c = 0; c < channels; ++c) {
    const size_t k = mean_.size() == 1 ? 0 : static_cast<size_t>(c);
    // In double, then rounded once: the same bits whatever the batch size.
    const double m = mean_[k], inv = 1.0 / std_[k];
    for (int64_t e = 0; e < per; ++e) out[c * per + e] = static_cast<T>((static_cast<double>(in[c * per + e]) - m) * inv);
  }
}

void Normalize::apply(const float* in, float* out, const Shape& shape, Generator&) const { run(in, out, shape); }
void Normalize::apply(const double* in, double* out, const Shape& shape, Generator&) const { run(in, out, shape); }

// ---- Standardize ----

std::shared_ptr<Standardize> Standardize::fit(const Dataset& train) {
  ChannelStats s = channel_stats(train);
  for (double& d : s.std)
    if (!(d > 0)) d = 1;
  return std::make_shared<Standardize>(s.mean, s.std);
}

std::string Standardize::name() const { return "Standardize(" + std::to_string(mean().size()) + " features)"; }

std::map<std::string, Tensor> Standardize::state(const std::string& prefix) const {
  const auto n = static_cast<int64_t>(mean().size());
  return {{prefix + "mean", from_vector(mean(), {n}, kFloat64)}, {prefix + "std", from_vector(std(), {n}, kFloat64)}};
}

std::shared_ptr<Standardize> Standardize::from_state(const std::map<std::string, Tensor>& tensors,
                                                     const std::string& prefix) {
  const auto mean = tensors.find(prefix + "mean");
  const auto std = tensors.find(prefix + "std");
  ETA_CHECK(mean != tensors.end() && std != tensors.end(), "Standardize::from_state: no tensors ", prefix, "mean and ",
            prefix, "std (was the model saved with its Standardize statistics?)");
  return std::make_shared<Standardize>(mean->second.to_vector(), std->second.to_vector());
}

// ---- RandomCrop ----

RandomCrop::RandomCrop(int64_t height, int64_t width, int64_t padding, double fill)
    : height_(height), width_(width), padding_(padding), fill_(fill) {
  ETA_CHECK(height >= 1 && width >= 1 && padding >= 0, "RandomCrop: size ", height, "x", width, " and padding ",
            padding, "; need a positive size and a non-negative padding");
}

std::string RandomCrop::name() const {
  return "RandomCrop(" + std::to_string(height_) + "x" + std::to_string(width_) + ", padding=" + std::to_string(padding_) +
         ")";
}

Shape RandomCrop::output_shape(const Shape& in) const {
  check_image(in, name());
  ETA_CHECK(in[1] + 2 * padding_ >= height_ && in[2] + 2 * padding_ >= width_, name(), ": images ", shape_str(in),
            " padded by ", padding_, " are smaller than the crop");
  return {in[0], height_, width_};
}

template <class T>
void RandomCrop::run(const T* in, T* out, const Shape& shape, Generator& gen) const {
  const int64_t C = shape[0], H = shape[1], W = shape[2];
  // Window origin in padded coordinates; both draws happen on every call so streams stay aligned.
  const int64_t top = static_cast<int64_t>(gen.next_below(static_cast<uint64_t>(H + 2 * padding_ - height_ + 1)));
  const int64_t left = static_cast<int64_t>(gen.next_below(static_cast<uint64_t>(W + 2 * padding_ - width_ + 1)));
  const T fill = static_cast<T>(fill_);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t y = 0; y < height_; ++y) {
      T* dst = out + (c * height_ + y) * width_;
      const int64_t sy = top + y - padding_;
      if (sy < 0 || sy >= H) {
        std::fill(dst, dst + width_, fill);
        continue;
      }
      const T* src = in + (c * H + sy) * W;
      for (int64_t x = 0; x < width_; ++x) {
        const int64_t sx = left + x - padding_;
        dst[x] = sx >= 0 && sx < W ? src[sx] : fill;
      }
    }
}

void RandomCrop::apply(const float* in, float* out, const Shape& s, Generator& g) const { run(in, out, s, g); }
void RandomCrop::apply(const double* in, double* out, const Shape& s, Generator& g) const { run(in, out, s, g); }

// ---- RandomHorizontalFlip ----

RandomHorizontalFlip::RandomHorizontalFlip(double p) : p_(p) {
  ETA_CHECK(p >= 0 && p <= 1, "RandomHorizontalFlip: p is ", p, ", must be in [0, 1]");
}

std::string RandomHorizontalFlip::name() const {
  std::ostringstream os;
  os << "RandomHorizontalFlip(p=" << p_ << ")";
  return os.str();
}

Shape RandomHorizontalFlip::output_shape(const Shape& in) const {
  check_image(in, name());
  return in;
}

template <class T>
void RandomHorizontalFlip::run(const T* in, T* out, const Shape& shape, Generator& gen) const {
  const int64_t rows = shape[0] * shape[1], W = shape[2];
  if (gen.next_double() >= p_) {
    std::memcpy(out, in, static_cast<size_t>(rows * W) * sizeof(T));
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t x = 0; x < W; ++x) out[r * W + x] = in[r * W + (W - 1 - x)];
}

void RandomHorizontalFlip::apply(const float* in, float* out, const Shape& s, Generator& g) const { run(in, out, s, g); }
void RandomHorizontalFlip::apply(const double* in, double* out, const Shape& s, Generator& g) const {
  run(in, out, s, g);
}

}  // namespace eta::data
