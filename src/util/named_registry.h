// NamedRegistry: a thread-safe map from canonical names (util::canonical_name: any case, '_' and
// '-' ignored) to specs that carry a printed `name` and a `make` function. Shared by the optimizer
// and scheduler registries, so that both register, look names up and report unknown ones the same
// way; each keeps only its built-in list and its make_* function.
#pragma once
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "eta/error.h"
#include "eta/util/parse.h"

namespace eta::util {

template <class Spec>
class NamedRegistry {
 public:
  // `kind` names the specs in messages ("optimizer": make_optimizer, register_optimizer).
  NamedRegistry(std::string kind, std::initializer_list<Spec> builtins) : kind_(std::move(kind)) {
    for (const Spec& spec : builtins) factories_[canonical_name(spec.name)] = spec;
  }

  // Adds or replaces a user's spec under canonical_name(spec.name).
  void add(Spec spec) {
    ETA_CHECK(!spec.name.empty() && spec.make, "register_", kind_, ": a spec needs a name and a make function");
    std::lock_guard lock(mutex_);
    factories_[canonical_name(spec.name)] = std::move(spec);
  }

  // The spec for `name`; otherwise "make_<kind>: unknown <kind> '<name>' (valid: ...)".
  Spec find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = factories_.find(canonical_name(name));
    if (it == factories_.end())
      detail::throw_error("make_", kind_, ": unknown ", kind_, " '", name, "' (valid: ", join(names_locked()), ")");
    return it->second;
  }

  // Printed names, in canonical-name order.
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    return names_locked();
  }

 private:
  std::vector<std::string> names_locked() const {
    std::vector<std::string> out;
    for (const auto& [key, f] : factories_) out.push_back(f.name);
    return out;
  }

  const std::string kind_;
  mutable std::mutex mutex_;
  std::map<std::string, Spec> factories_;
};

}  // namespace eta::util
