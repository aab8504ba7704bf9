// What the MNIST example programs share: building a model by name, sensible default learning
// rates, and routing leftover flags to the optimizer or the scheduler.
// Header-only; examples only.
#pragma once
#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "eta/data/data_loader.h"
#include "eta/data/mnist.h"
#include "eta/eta.h"
#include "eta/optim/registry.h"
#include "eta/sched/registry.h"
#include "eta/train/metrics.h"
#include "eta/util/parse.h"
#include "models/lenet5.h"
#include "models/mlp.h"
#include "models/small_cnn.h"

namespace eta::examples {

inline const char* kDefaultDataDir = "/usr/share/datasets/fashion-mnist";

// mlp (784-256-128-10), lenet (LeNet-5) or cnn (the small residual CNN), any case.
inline std::shared_ptr<nn::Module> make_model(const std::string& name) {
  const std::string n = util::canonical_name(name);
  if (n == "mlp") return std::make_shared<models::MLP>(std::vector<int64_t>{784, 256, 128, 10});
  if (n == "lenet" || n == "lenet5") return std::make_shared<models::LeNet5>();
  if (n == "cnn" || n == "smallcnn") return std::make_shared<models::SmallCNN>();
  detail::throw_error("unknown --model '", name, "' (expected mlp, lenet or cnn)");
}

// The learning rate when --lr is not given: the one the optimizer's spec suggests for programs
// (PyTorch's SGD has no default).
inline std::string default_lr(const std::string& optimizer) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, optim::optimizer_spec(optimizer).suggested_lr).ptr;
  return std::string(text, end);  // the shortest form that reads back the same: "0.05", not 0.050000000000000003
}

// Splits the flags a program did not take itself between the optimizer and the scheduler, by
// the names each accepts; anything else is an error naming where it was looked for.
inline void route_flags(const std::map<std::string, std::string>& rest, const std::string& program,
                        const std::string& optimizer, const std::string& scheduler, optim::Flags& opt_flags,
                        sched::Flags& sched_flags) {
  const auto opt_known = optim::optimizer_flags(optimizer);
  const auto sched_known = scheduler.empty() ? std::vector<std::string>{} : sched::scheduler_flags(scheduler);
  for (const auto& [name, value] : rest) {
    if (std::find(opt_known.begin(), opt_known.end(), name) != opt_known.end()) opt_flags[name] = value;
    else if (std::find(sched_known.begin(), sched_known.end(), name) != sched_known.end()) sched_flags[name] = value;
    else
      detail::throw_error("unknown flag --", name, " (not a flag of ", program, ", of optimizer ", optimizer,
                          scheduler.empty() ? "" : ", or of scheduler " + scheduler, "; see --help)");
  }
  if (!opt_flags.count("lr")) opt_flags["lr"] = default_lr(optimizer);
}

}  // namespace eta::examples
