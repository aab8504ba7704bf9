// Copies of tensors' values, put back later: what lr_find's sweep and a curvature measurement's
// forward pass change (parameters, batch-norm statistics) must end as it began. Internal.
#pragma once
#include <vector>

#include "eta/tensor/grad_mode.h"
#include "eta/tensor/tensor.h"

namespace eta::train {

class SavedValues {
 public:
  explicit SavedValues(const std::vector<Tensor>& tensors) : tensors_(tensors) {
    for (const Tensor& t : tensors_) copies_.push_back(t.clone());
  }
  // Copies the saved values back into the same tensors (unrecorded).
  void restore() const {
    NoGradGuard no_grad;
    for (size_t i = 0; i < tensors_.size(); ++i) Tensor(tensors_[i]).copy_(copies_[i]);
  }
  const std::vector<Tensor>& tensors() const { return tensors_; }

 private:
  std::vector<Tensor> tensors_, copies_;
};

}  // namespace eta::train
