// The Trainer's epoch history as text for checkpoint metadata, one epoch per line:
// "<epoch> <train_loss> <examples> <steps> <skipped> <seconds> <lr> [<metric>=<value> ...]", doubles in
// 17 significant digits so they read back exactly. Private to train/.
#pragma once
#include <string>
#include <vector>

#include "eta/train/callback.h"

namespace eta::train {

std::string history_to_text(const std::vector<EpochInfo>& history);
std::vector<EpochInfo> history_from_text(const std::string& text);

}  // namespace eta::train
