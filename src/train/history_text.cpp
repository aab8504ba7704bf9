// EpochInfo lines <-> text (history_text.h).
#include "train/history_text.h"

#include <cstdio>
#include <sstream>

#include "eta/error.h"
#include "train/number_text.h"

namespace eta::train {

std::string history_to_text(const std::vector<EpochInfo>& history) {
  std::string out;
  for (const EpochInfo& e : history) {
    out += std::to_string(e.epoch) + " " + text::exact(e.train_loss) + " " + std::to_string(e.examples) + " " +
           std::to_string(e.steps) + " " + std::to_string(e.skipped_steps) + " " + text::exact(e.seconds) + " " + text::exact(e.lr);
    for (const auto& [k, v] : e.metrics) out += " " + k + "=" + text::exact(v);
    out += "\n";
  }
  return out;
}

std::vector<EpochInfo> history_from_text(const std::string& text) {
  std::vector<EpochInfo> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    EpochInfo e;
    ETA_CHECK(static_cast<bool>(in >> e.epoch >> e.train_loss >> e.examples >> e.steps >> e.skipped_steps >> e.seconds >> e.lr),
              "Trainer history: unreadable line '", line, "'");
    for (std::string kv; in >> kv;) {
      const size_t eq = kv.find('=');
      ETA_CHECK(eq != std::string::npos && eq > 0, "Trainer history: '", kv, "' is not metric=value");
      e.metrics[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
    }
    e.has_validation = !e.metrics.empty();
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace eta::train
