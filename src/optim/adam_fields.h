// The hyper-parameter fields Adam, AdamW and AdamHD share (their option structs differ only in
// defaults and AdamHD's extra hypergrad_lr). Internal (not installed).
#pragma once
#include "eta/util/hyper_params.h"

namespace eta::optim {

// Adam and AdamW share these fields (their structs differ only in weight_decay's default).
template <class Opts>
util::Fields<Opts> adam_fields() {
  return {{"lr", &Opts::lr, util::at_least(0)},
          {"beta1", &Opts::beta1, util::between(0, 1, /*hi_open=*/true)},
          {"beta2", &Opts::beta2, util::between(0, 1, /*hi_open=*/true)},
          {"eps", &Opts::eps, util::at_least(0)},
          {"weight_decay", &Opts::weight_decay, util::at_least(0)},
          {"amsgrad", &Opts::amsgrad},
          {"maximize", &Opts::maximize}};
}

}  // namespace eta::optim
