// AdamW: Adam's moments with decoupled weight decay (the update itself lives in adam.cpp).
#include "eta/optim/adamw.h"

namespace eta::optim {

Options AdamW::defaults(const AdamWOptions& o) {
  return Adam::defaults(AdamOptions{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad, o.maximize});
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& o) : AdamW(single_group(std::move(params)), o) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& o)
    : Adam("AdamW", std::move(groups), defaults(o), /*decoupled_weight_decay=*/true) {}

}  // namespace eta::optim
