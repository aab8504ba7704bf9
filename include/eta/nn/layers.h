// The layers: each a small Module over one functional op. Defaults and initialisation follow
// PyTorch (Linear/Conv2d: kaiming_uniform with a = sqrt(5), bias U(-1/sqrt(fan_in), +)).
#pragma once
#include <array>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "eta/nn/module.h"
#include "eta/tensor/generator.h"

namespace eta::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight, bias;  // (out, in), (out) or undefined
};

struct Conv2dOptions {
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, std::array<int64_t, 2> kernel, Conv2dOptions options = {},
         Generator& gen = default_generator());
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, Conv2dOptions options = {},
         Generator& gen = default_generator())
      : Conv2d(in_channels, out_channels, {kernel, kernel}, options, gen) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight, bias;  // (OC, C/groups, KH, KW), (OC) or undefined
  Conv2dOptions options;
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0)
      : kernel_(kernel), stride_(stride == 0 ? kernel : stride), padding_(padding) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  int64_t kernel_, stride_, padding_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0, bool count_include_pad = true)
      : kernel_(kernel), stride_(stride == 0 ? kernel : stride), padding_(padding), count_include_pad_(count_include_pad) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  int64_t kernel_, stride_, padding_;
  bool count_include_pad_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(std::array<int64_t, 2> output_size = {1, 1}) : output_size_(output_size) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  std::array<int64_t, 2> output_size_;
};

// BatchNorm over (N, C) / (N, C, L) inputs (1d) or (N, C, H, W) inputs (2d).
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  // relu(forward(x)) as one op (batch_norm_relu): the same results, one memory pass fewer each way.
  Tensor forward_relu(const Tensor& x);
  std::string name() const override;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  double eps, momentum;

 protected:
  BatchNorm(const char* kind, int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats);
  virtual bool accepts_rank(int64_t rank) const = 0;

 private:
  friend class Sequential;  // runs the fused op over an input it alone holds, in inference
  Tensor run(const Tensor& x, bool fuse_relu, bool over_input = false);
  std::string kind_;
  int64_t num_features_;
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm("BatchNorm1d", num_features, eps, momentum, affine, track_running_stats) {}

 protected:
  bool accepts_rank(int64_t rank) const override { return rank == 2 || rank == 3; }
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm("BatchNorm2d", num_features, eps, momentum, affine, track_running_stats) {}

 protected:
  bool accepts_rank(int64_t rank) const override { return rank == 4; }
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight, bias;

 private:
  Shape normalized_shape_;
  double eps_;
};

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen = default_generator());
  Tensor forward(const Tensor& indices) override;
  std::string name() const override;
  Tensor weight;  // (num_embeddings, embedding_dim), N(0, 1) as PyTorch
};

// Dropout draws its mask from `gen` (the default generator unless given), so manual_seed fixes it.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  double p_;
  Generator* gen_;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_(start_dim), end_(end_dim) {}
  Tensor forward(const Tensor& x) override { return x.flatten(start_, end_); }
  std::string name() const override { return "Flatten"; }

 private:
  int64_t start_, end_;
};

// Activation modules.
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ReLU"; }
};
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LeakyReLU"; }

 private:
  double slope_;
};
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sigmoid"; }
};
class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Tanh"; }
};
class GELU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "GELU"; }
};
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1, double threshold = 20) : beta_(beta), threshold_(threshold) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softplus"; }

 private:
  double beta_, threshold_;
};
// An activation module by name: relu, leaky_relu, sigmoid, tanh, gelu, softplus (case-insensitive).
std::shared_ptr<Module> make_activation(const std::string& name);

// Runs its children in order; they are named "0", "1", ... as in PyTorch.
class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  Sequential& push_back(std::shared_ptr<Module> module);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }
  size_t size() const { return modules_.size(); }
  Module& operator[](size_t i) const { return *modules_.at(i); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace eta::nn
