// eta::nn::init: in-place initialisers with PyTorch's names and formulas, every draw from a
// seeded Generator (the default one unless given).
#pragma once
#include <string>
#include <utility>

#include "eta/tensor/generator.h"
#include "eta/tensor/tensor.h"

namespace eta::nn::init {

enum class FanMode { FanIn, FanOut };

// (fan_in, fan_out) of a weight: dims 1 and 0 times the receptive field (dims 2..).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);
// Recommended gain for "linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu" (param = slope), "selu".
double calculate_gain(const std::string& nonlinearity, double param = 0.01);

Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
Tensor& constant_(Tensor& t, double value);
Tensor& uniform_(Tensor& t, double low = 0, double high = 1, Generator& gen = default_generator());
Tensor& normal_(Tensor& t, double mean = 0, double std = 1, Generator& gen = default_generator());
Tensor& xavier_uniform_(Tensor& t, double gain = 1, Generator& gen = default_generator());
Tensor& xavier_normal_(Tensor& t, double gain = 1, Generator& gen = default_generator());
Tensor& kaiming_uniform_(Tensor& t, double a = 0, FanMode mode = FanMode::FanIn,
                         const std::string& nonlinearity = "leaky_relu", Generator& gen = default_generator());
Tensor& kaiming_normal_(Tensor& t, double a = 0, FanMode mode = FanMode::FanIn,
                        const std::string& nonlinearity = "leaky_relu", Generator& gen = default_generator());

}  // namespace eta::nn::init
