// Initialisers. Values are drawn into a fresh tensor and copied in under NoGradGuard, so they
// work on parameters that require grad.
#include "eta/nn/init.h"

#include <cmath>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/tensor/factory.h"

namespace eta::nn::init {

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  ETA_CHECK(t.dim() >= 2, "init: fan in and fan out need a tensor of at least 2 dims, got ", shape_str(t.shape()));
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

double calculate_gain(const std::string& nl, double param) {
  if (nl == "linear" || nl == "conv1d" || nl == "conv2d" || nl == "sigmoid" || nl == "identity") return 1.0;
  if (nl == "tanh") return 5.0 / 3.0;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nl == "selu") return 3.0 / 4.0;
  detail::throw_error("calculate_gain: unknown nonlinearity \"", nl,
                      "\" (expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu)");
}

static Tensor& fill_from(Tensor& t, const Tensor& values) {
  NoGradGuard no_grad;
  t.copy_(values);
  return t;
}

Tensor& zeros_(Tensor& t) { return constant_(t, 0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1); }
Tensor& constant_(Tensor& t, double v) {
  NoGradGuard no_grad;
  t.fill_(v);
  return t;
}
Tensor& uniform_(Tensor& t, double lo, double hi, Generator& gen) {
  return fill_from(t, uniform(t.shape(), lo, hi, t.dtype(), gen));
}
Tensor& normal_(Tensor& t, double mean, double std, Generator& gen) {
  return fill_from(t, normal(t.shape(), mean, std, t.dtype(), gen));
}

Tensor& xavier_uniform_(Tensor& t, double gain, Generator& gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(t, -a, a, gen);
}

Tensor& xavier_normal_(Tensor& t, double gain, Generator& gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return normal_(t, 0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

static double kaiming_std(const Tensor& t, double a, FanMode mode, const std::string& nl) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const int64_t fan = mode == FanMode::FanIn ? fan_in : fan_out;
  ETA_CHECK(fan > 0, "kaiming init: tensor ", shape_str(t.shape()), " has zero fan");
  return calculate_gain(nl, a) / std::sqrt(static_cast<double>(fan));
}

Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, const std::string& nl, Generator& gen) {
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nl);
  return uniform_(t, -bound, bound, gen);
}

Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, const std::string& nl, Generator& gen) {
  return normal_(t, 0, kaiming_std(t, a, mode, nl), gen);
}

}  // namespace eta::nn::init
