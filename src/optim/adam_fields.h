// The hyper-parameter fields the Adam family shares, each declared once. Internal (not installed).
#pragma once
#include <initializer_list>

#include "eta/util/hyper_params.h"

namespace eta::optim {

// The fields of Adam's moments — lr, beta1, beta2, eps, weight_decay, with their ranges — which
// Adam, AdamW, AdamHD, Adamax, NAdam and RAdam share, followed by `more` (an optimizer's own).
template <class Opts>
util::Fields<Opts> moment_fields(std::initializer_list<util::Field<Opts>> more = {}) {
  util::Fields<Opts> f = {{"lr", &Opts::lr, util::at_least(0)},
                          {"beta1", &Opts::beta1, util::between(0, 1, /*hi_open=*/true)},
                          {"beta2", &Opts::beta2, util::between(0, 1, /*hi_open=*/true)},
                          {"eps", &Opts::eps, util::at_least(0)},
                          {"weight_decay", &Opts::weight_decay, util::at_least(0)}};
  f.insert(f.end(), more);
  return f;
}

// Adam, AdamW and AdamHD (their structs differ only in defaults and AdamHD's hypergrad_lr).
template <class Opts>
util::Fields<Opts> adam_fields() {
  return moment_fields<Opts>({{"amsgrad", &Opts::amsgrad}, {"maximize", &Opts::maximize}});
}

}  // namespace eta::optim
