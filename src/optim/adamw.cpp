// AdamW: Adam's moments with decoupled weight decay (the update, the fields and the spec live in
// adam.cpp, shared with Adam).
#include "eta/optim/adamw.h"

namespace eta::optim {

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& o) : AdamW(single_group(std::move(params)), o) {}

}  // namespace eta::optim
