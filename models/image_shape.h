// The input an image model is built for: channels and size of one image (MNIST's 1x28x28 by
// default; CIFAR-10 is 3x32x32). Models check their input against it and size their classifier
// from it.
#pragma once
#include <cstdint>
#include <string>

#include "eta/error.h"
#include "eta/tensor/tensor.h"

namespace eta::models {

struct ImageShape {
  int64_t channels = 1, height = 28, width = 28;

  // Throws "<model>: expected input (N, C, H, W), got [...]" unless x is a batch of such images.
  void check(const Tensor& x, const char* model) const {
    ETA_CHECK(x.dim() == 4 && x.size(1) == channels && x.size(2) == height && x.size(3) == width, model,
              ": expected input (N, ", channels, ", ", height, ", ", width, "), got ", shape_str(x.shape()));
  }
};

}  // namespace eta::models
