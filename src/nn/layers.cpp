// Layer modules: construction (PyTorch's default initialisation), argument checks that name the
// layer, and forward through the functional ops.
#include "eta/nn/layers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <typeinfo>

#include "eta/error.h"
#include "eta/nn/init.h"
#include "eta/ops/activation.h"
#include "eta/ops/conv.h"
#include "eta/ops/matmul.h"
#include "eta/ops/normalization.h"
#include "eta/ops/pool.h"
#include "eta/tensor/factory.h"
#include "ops/overwrite.h"

namespace eta::nn {

namespace {
// PyTorch's default for Linear and Conv: weight kaiming_uniform(a = sqrt(5)), which is
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias drawn from the same bound.
void default_init(Tensor& weight, Tensor& bias, Generator& gen) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", gen);
  if (bias.defined()) {
    const double fan_in = static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first);
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(fan_in) : 0.0;
    init::uniform_(bias, -bound, bound, gen);
  }
}

std::string describe(const std::string& kind, std::initializer_list<std::pair<const char*, std::string>> fields) {
  std::ostringstream os;
  os << kind << "(";
  bool first = true;
  for (const auto& [k, v] : fields) os << (first ? "" : ", ") << k << "=" << v, first = false;
  os << ")";
  return os.str();
}
std::string str(int64_t v) { return std::to_string(v); }
std::string str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
std::string str(bool v) { return v ? "true" : "false"; }
}  // namespace

Linear::Linear(int64_t in, int64_t out, bool with_bias, Generator& gen) {
  ETA_CHECK(in > 0 && out > 0, "Linear: in_features (", in, ") and out_features (", out, ") must be positive");
  weight = register_parameter("weight", empty({out, in}));
  if (with_bias) bias = register_parameter("bias", empty({out}));
  default_init(weight, bias, gen);
}

Tensor Linear::forward(const Tensor& x) {
  ETA_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), name(), ": input ", shape_str(x.shape()),
            " does not end in in_features ", weight.size(1));
  return linear(x, weight, bias);
}

std::string Linear::name() const {
  return describe("Linear", {{"in_features", str(weight.size(1))}, {"out_features", str(weight.size(0))},
                             {"bias", str(bias.defined())}});
}

Conv2d::Conv2d(int64_t in, int64_t out, std::array<int64_t, 2> k, Conv2dOptions opt, Generator& gen) : options(opt) {
  ETA_CHECK(in > 0 && out > 0 && k[0] > 0 && k[1] > 0, "Conv2d: channels (", in, ", ", out, ") and kernel (", k[0],
            ", ", k[1], ") must be positive");
  ETA_CHECK(opt.groups >= 1 && in % opt.groups == 0 && out % opt.groups == 0, "Conv2d: groups ", opt.groups,
            " must divide in_channels ", in, " and out_channels ", out);
  weight = register_parameter("weight", empty({out, in / opt.groups, k[0], k[1]}));
  if (opt.bias) bias = register_parameter("bias", empty({out}));
  default_init(weight, bias, gen);
}

Tensor Conv2d::forward(const Tensor& x) {
  ETA_CHECK(x.dim() == 4, name(), ": expected a 4-D input (N, C, H, W), got ", shape_str(x.shape()));
  ETA_CHECK(x.size(1) == weight.size(1) * options.groups, name(), ": input ", shape_str(x.shape()), " has ", x.size(1),
            " channels, expected ", weight.size(1) * options.groups);
  return conv2d(x, weight, bias, options.stride, options.padding, options.dilation, options.groups);
}

std::string Conv2d::name() const {
  return describe("Conv2d", {{"in_channels", str(weight.size(1) * options.groups)},
                             {"out_channels", str(weight.size(0))},
                             {"kernel_size", str(weight.size(2)) + "x" + str(weight.size(3))},
                             {"stride", str(options.stride[0])},
                             {"padding", str(options.padding[0])}});
}

Tensor MaxPool2d::forward(const Tensor& x) {
  ETA_CHECK(x.dim() == 4, name(), ": expected a 4-D input (N, C, H, W), got ", shape_str(x.shape()));
  return max_pool2d(x, {kernel_, kernel_}, {stride_, stride_}, {padding_, padding_});
}
std::string MaxPool2d::name() const {
  return describe("MaxPool2d", {{"kernel_size", str(kernel_)}, {"stride", str(stride_)}, {"padding", str(padding_)}});
}

Tensor AvgPool2d::forward(const Tensor& x) {
  ETA_CHECK(x.dim() == 4, name(), ": expected a 4-D input (N, C, H, W), got ", shape_str(x.shape()));
  return avg_pool2d(x, {kernel_, kernel_}, {stride_, stride_}, {padding_, padding_}, count_include_pad_);
}
std::string AvgPool2d::name() const {
  return describe("AvgPool2d", {{"kernel_size", str(kernel_)}, {"stride", str(stride_)}, {"padding", str(padding_)}});
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) { return adaptive_avg_pool2d(x, output_size_); }
std::string AdaptiveAvgPool2d::name() const {
  return describe("AdaptiveAvgPool2d", {{"output_size", str(output_size_[0]) + "x" + str(output_size_[1])}});
}

BatchNorm::BatchNorm(const char* kind, int64_t n, double eps_, double momentum_, bool affine, bool track)
    : eps(eps_), momentum(momentum_), kind_(kind), num_features_(n) {
  ETA_CHECK(n > 0, kind, ": num_features must be positive, got ", n);
  ETA_CHECK(eps_ > 0 && momentum_ >= 0 && momentum_ <= 1, kind, ": eps (", eps_, ") must be > 0 and momentum (",
            momentum_, ") in [0, 1]");
  if (affine) {
    weight = register_parameter("weight", ones({n}));
    bias = register_parameter("bias", zeros({n}));
  }
  if (track) {
    running_mean = register_buffer("running_mean", zeros({n}));
    running_var = register_buffer("running_var", ones({n}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
}

Tensor BatchNorm::forward(const Tensor& x) { return run(x, false); }

Tensor BatchNorm::forward_relu(const Tensor& x) { return run(x, true); }

Tensor BatchNorm::run(const Tensor& x, bool fuse_relu, bool over_input) {
  ETA_CHECK(accepts_rank(x.dim()), kind_, ": unexpected input rank ", x.dim(), " (input ", shape_str(x.shape()), ")");
  ETA_CHECK(x.size(1) == num_features_, kind_, ": input ", shape_str(x.shape()), " has ", x.size(1),
            " channels, expected ", num_features_);
  const bool use_batch_stats = is_training() || !running_mean.defined();
  if (is_training() && num_batches_tracked.defined())
    num_batches_tracked.set({}, num_batches_tracked.item() + 1);
  const Tensor rm = is_training() ? running_mean : (use_batch_stats ? Tensor() : running_mean);
  const Tensor rv = is_training() ? running_var : (use_batch_stats ? Tensor() : running_var);
  if (fuse_relu && over_input) return batch_norm_relu_over(x, rm, rv, weight, bias, use_batch_stats, momentum, eps);
  return fuse_relu ? batch_norm_relu(x, rm, rv, weight, bias, use_batch_stats, momentum, eps)
                   : batch_norm(x, rm, rv, weight, bias, use_batch_stats, momentum, eps);
}

std::string BatchNorm::name() const {
  return describe(kind_, {{"num_features", str(num_features_)}, {"eps", str(eps)}, {"momentum", str(momentum)}});
}

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool affine) : normalized_shape_(std::move(normalized_shape)), eps_(eps) {
  ETA_CHECK(!normalized_shape_.empty(), "LayerNorm: normalized_shape must not be empty");
  if (affine) {
    weight = register_parameter("weight", ones(normalized_shape_));
    bias = register_parameter("bias", zeros(normalized_shape_));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  const int64_t k = static_cast<int64_t>(normalized_shape_.size());
  ETA_CHECK(x.dim() >= k && Shape(x.shape().end() - k, x.shape().end()) == normalized_shape_, name(), ": input ",
            shape_str(x.shape()), " does not end in ", shape_str(normalized_shape_));
  return layer_norm(x, k, weight, bias, eps_);
}
std::string LayerNorm::name() const { return describe("LayerNorm", {{"normalized_shape", shape_str(normalized_shape_)}}); }

Embedding::Embedding(int64_t num, int64_t dim, Generator& gen) {
  ETA_CHECK(num > 0 && dim > 0, "Embedding: num_embeddings (", num, ") and embedding_dim (", dim, ") must be positive");
  weight = register_parameter("weight", normal({num, dim}, 0, 1, kFloat32, gen));
}
Tensor Embedding::forward(const Tensor& indices) { return embedding(indices, weight); }
std::string Embedding::name() const {
  return describe("Embedding", {{"num_embeddings", str(weight.size(0))}, {"embedding_dim", str(weight.size(1))}});
}

Dropout::Dropout(double p, Generator& gen) : p_(p), gen_(&gen) {
  ETA_CHECK(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got ", p);
}
Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training(), *gen_); }
std::string Dropout::name() const { return describe("Dropout", {{"p", str(p_)}}); }

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope_); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }
Tensor GELU::forward(const Tensor& x) { return gelu(x); }
Tensor Softplus::forward(const Tensor& x) { return softplus(x, beta_, threshold_); }

std::shared_ptr<Module> make_activation(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (n == "relu") return std::make_shared<ReLU>();
  if (n == "leaky_relu" || n == "leakyrelu") return std::make_shared<LeakyReLU>();
  if (n == "sigmoid") return std::make_shared<Sigmoid>();
  if (n == "tanh") return std::make_shared<Tanh>();
  if (n == "gelu") return std::make_shared<GELU>();
  if (n == "softplus") return std::make_shared<Softplus>();
  detail::throw_error("make_activation: unknown activation \"", name,
                      "\" (expected relu, leaky_relu, sigmoid, tanh, gelu or softplus)");
}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) push_back(m);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
  return *this;
}

// A BatchNorm1d/2d followed by a ReLU runs as one op (BatchNorm::forward_relu): identical results,
// a memory pass fewer each way. Exact types only, so that a subclass's own forward (SyncBatchNorm's,
// a user's) is always the one called. In inference (no graph) a ReLU, fused or not, whose input
// only this loop holds (never the caller's x) writes over it: one activation buffer, not two
// (SmallCNN's first block on a batch of 1000 images: 100 MB fewer), with identical values.
Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (size_t i = 0; i < modules_.size(); ++i) {
    Module& m = *modules_[i];
    const bool plain_bn = typeid(m) == typeid(BatchNorm2d) || typeid(m) == typeid(BatchNorm1d);
    if (plain_bn && i + 1 < modules_.size() && typeid(*modules_[i + 1]) == typeid(ReLU)) {
      h = static_cast<BatchNorm&>(m).run(h, true, overwritable(h));
      ++i;
    } else {
      h = typeid(m) == typeid(ReLU) && overwritable(h) ? relu_over(h) : m.forward(h);
    }
  }
  return h;
}

}  // namespace eta::nn
