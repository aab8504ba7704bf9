// MLP built from a Sequential so parameter names read "layers.0.weight", "layers.2.bias", ...
#include "models/mlp.h"

#include "eta/error.h"

namespace eta::models {

MLP::MLP(const std::vector<int64_t>& widths, const std::string& activation, double dropout, Generator& gen) {
  ETA_CHECK(widths.size() >= 2, "MLP: need at least an input and an output width, got ", widths.size());
  ETA_CHECK(dropout >= 0 && dropout < 1, "MLP: dropout must be in [0, 1), got ", dropout);
  layers_ = register_module("layers", std::make_shared<nn::Sequential>());
  layers_->push_back(std::make_shared<nn::Flatten>());
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    layers_->push_back(std::make_shared<nn::Linear>(widths[i], widths[i + 1], true, gen));
    if (i + 2 < widths.size()) {
      layers_->push_back(nn::make_activation(activation));
      if (dropout > 0) layers_->push_back(std::make_shared<nn::Dropout>(dropout, gen));
    }
  }
}

Tensor MLP::forward(const Tensor& x) { return layers_->forward(x); }

}  // namespace eta::models
