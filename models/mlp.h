// MLP: Flatten, then Linear layers of the given widths with an activation (and optional dropout)
// between them; no activation after the last layer (it returns logits).
#pragma once
#include <string>
#include <vector>

#include "eta/nn/layers.h"

namespace eta::models {

class MLP : public nn::Module {
 public:
  // widths = {784, 256, 128, 10}: input size, hidden sizes, number of outputs.
  explicit MLP(const std::vector<int64_t>& widths, const std::string& activation = "relu", double dropout = 0.0,
               Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "MLP"; }

 private:
  std::shared_ptr<nn::Sequential> layers_;
};

}  // namespace eta::models
