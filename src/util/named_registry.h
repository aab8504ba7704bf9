// NamedRegistry: a thread-safe map from canonical names (util::canonical_name: any case, '_' and
// '-' ignored) to factories that carry a printed `name`. Shared by the optimizer and scheduler
// factories so that both look names up and report unknown ones the same way.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "eta/error.h"
#include "eta/util/parse.h"

namespace eta::util {

template <class Factory>
class NamedRegistry {
 public:
  // Adds or replaces the factory under canonical_name(factory.name).
  void add(Factory factory) {
    std::lock_guard lock(mutex_);
    factories_[canonical_name(factory.name)] = std::move(factory);
  }

  // The factory for `name`; otherwise "<caller>: unknown <what> '<name>' (valid: ...)".
  Factory find(const std::string& name, const char* caller, const char* what) const {
    std::lock_guard lock(mutex_);
    const auto it = factories_.find(canonical_name(name));
    if (it == factories_.end())
      detail::throw_error(caller, ": unknown ", what, " '", name, "' (valid: ", join(names_locked()), ")");
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

  mutable std::mutex mutex_;
  std::map<std::string, Factory> factories_;
};

}  // namespace eta::util
