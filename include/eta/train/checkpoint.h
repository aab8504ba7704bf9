// Training checkpoints: a model, its optimizer, its scheduler, extra tensors (e.g. loss history)
// and string run state (epoch, data order, generator states) in one safetensors file, written
// atomically. Loading validates everything before anything changes, and a rejected load leaves the
// model, optimizer and scheduler as they were.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "eta/nn/module.h"
#include "eta/optim/optimizer.h"
#include "eta/sched/scheduler.h"
#include "eta/tensor/generator.h"

namespace eta::train {

struct CheckpointExtras {
  std::map<std::string, Tensor> tensors;          // stored as "extra.<name>"
  std::map<std::string, std::string> metadata;    // run state, stored in __metadata__
};

// Tensors are named "model.<param>", "optimizer.<key>", "scheduler.<key>", "extra.<name>";
// `scheduler` may be null.
void save_checkpoint(const std::string& path, const nn::Module& model, const optim::Optimizer& optimizer,
                     const sched::Scheduler* scheduler, const CheckpointExtras& extras = {});

// Restores model, optimizer and scheduler (which must be built as when saving) and returns the
// extras. Throws eta::Error naming the file and what does not match.
CheckpointExtras load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                                 sched::Scheduler* scheduler);

// The extra tensors and metadata of a checkpoint, without touching any model (to check a file's run
// settings before restoring it).
CheckpointExtras read_checkpoint_extras(const std::string& path);

// A Generator's state as text ("a b c d", decimal words) and back, for checkpoint metadata.
std::string generator_state_to_string(const Generator& gen);
void generator_state_from_string(Generator& gen, const std::string& text);

}  // namespace eta::train
