// One value per parameter group from a list of 1 (shared by every group) or one per group, as
// PyTorch's cyclic schedulers accept their max_lr, base_lr and momenta. Private to sched/.
#pragma once
#include <vector>

#include "eta/error.h"

namespace eta::sched::detail {

inline std::vector<double> per_group(const char* owner, const std::vector<double>& v, size_t groups, const char* name) {
  ETA_CHECK(v.size() == 1 || v.size() == groups, owner, ": expected 1 or ", groups, " values for ", name, ", got ",
            v.size());
  return v.size() == 1 ? std::vector<double>(groups, v[0]) : v;
}

}  // namespace eta::sched::detail
