// Checkpoint save/load over io/safetensors, with all-or-nothing restore.
#include "eta/train/checkpoint.h"

#include <sstream>

#include "eta/tensor/grad_mode.h"
#include "eta/error.h"
#include "eta/io/safetensors.h"

namespace eta::train {

namespace {

const char* kFormatKey = "eta.format";
const char* kFormatValue = "eta-checkpoint-1";

// The entries of `file` whose names start with `prefix`, prefix removed.
std::map<std::string, Tensor> with_prefix(const io::SafetensorsFile& file, const std::string& prefix) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : file.tensors)
    if (name.rfind(prefix, 0) == 0) out[name.substr(prefix.size())] = t;
  return out;
}

}  // namespace

void save_checkpoint(const std::string& path, const nn::Module& model, const optim::Optimizer& optimizer,
                     const sched::Scheduler* scheduler, const CheckpointExtras& extras) {
  std::map<std::string, Tensor> tensors;
  for (const auto& [n, t] : model.state_dict()) tensors["model." + n] = t;
  for (const auto& [n, t] : optimizer.state_dict()) tensors["optimizer." + n] = t;
  if (scheduler)
    for (const auto& [n, t] : scheduler->state_dict()) tensors["scheduler." + n] = t;
  for (const auto& [n, t] : extras.tensors) tensors["extra." + n] = t;
  std::map<std::string, std::string> metadata = extras.metadata;
  metadata[kFormatKey] = kFormatValue;
  metadata["eta.optimizer"] = optimizer.name();
  metadata["eta.scheduler"] = scheduler ? scheduler->name() : "none";
  io::save_safetensors(path, tensors, metadata);
}

CheckpointExtras read_checkpoint_extras(const std::string& path) {
  const io::SafetensorsFile file = io::load_safetensors(path);
  const auto format = file.metadata.find(kFormatKey);
  ETA_CHECK(format != file.metadata.end() && format->second == kFormatValue, "read_checkpoint_extras: ", path,
            " is a safetensors file but not an eta checkpoint");
  CheckpointExtras extras;
  extras.tensors = with_prefix(file, "extra.");
  extras.metadata = file.metadata;
  return extras;
}

CheckpointExtras load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                                 sched::Scheduler* scheduler) {
  const io::SafetensorsFile file = io::load_safetensors(path);
  const auto meta = [&](const std::string& key) {
    const auto it = file.metadata.find(key);
    return it == file.metadata.end() ? std::string() : it->second;
  };
  ETA_CHECK(meta(kFormatKey) == kFormatValue, "load_checkpoint: ", path, " is a safetensors file but not an eta checkpoint (",
            kFormatKey, " is \"", meta(kFormatKey), "\")");
  ETA_CHECK(meta("eta.optimizer") == optimizer.name(), "load_checkpoint: ", path, " was written with optimizer ",
            meta("eta.optimizer"), ", but this run uses ", optimizer.name());
  const std::string sched_name = scheduler ? scheduler->name() : "none";
  ETA_CHECK(meta("eta.scheduler") == sched_name, "load_checkpoint: ", path, " was written with scheduler ",
            meta("eta.scheduler"), ", but this run uses ", sched_name);

  // Snapshots, so that a failure half-way puts everything back.
  std::map<std::string, Tensor> model_before;
  for (const auto& [n, t] : model.state_dict()) model_before[n] = t.detach().clone();
  const optim::StateDict optimizer_before = optimizer.state_dict();
  const sched::StateDict scheduler_before = scheduler ? scheduler->state_dict() : sched::StateDict{};
  try {
    std::map<std::string, Tensor> targets;
    for (const auto& [n, t] : model.state_dict()) targets["model." + n] = t;
    io::SafetensorsFile model_part;
    for (const auto& [n, t] : file.tensors)
      if (n.rfind("model.", 0) == 0) model_part.tensors.emplace_back(n, t);
    io::load_into(targets, model_part);
    optimizer.load_state_dict(with_prefix(file, "optimizer."));
    if (scheduler) scheduler->load_state_dict(with_prefix(file, "scheduler."));
  } catch (const Error& e) {
    NoGradGuard no_grad;
    for (auto& [n, t] : model.state_dict()) Tensor(t).copy_(model_before.at(n));
    optimizer.load_state_dict(optimizer_before);
    if (scheduler) scheduler->load_state_dict(scheduler_before);
    detail::throw_error("load_checkpoint: ", path, ": ", e.what());
  }
  CheckpointExtras extras;
  extras.tensors = with_prefix(file, "extra.");
  extras.metadata = file.metadata;
  return extras;
}

std::string generator_state_to_string(const Generator& gen) {
  std::ostringstream os;
  const auto s = gen.state();
  os << s[0] << ' ' << s[1] << ' ' << s[2] << ' ' << s[3];
  return os.str();
}

void generator_state_from_string(Generator& gen, const std::string& text) {
  std::istringstream in(text);
  std::array<uint64_t, 4> s{};
  for (auto& w : s) ETA_CHECK(static_cast<bool>(in >> w), "generator state: expected four integers, got \"", text, "\"");
  std::string rest;
  ETA_CHECK(!(in >> rest), "generator state: trailing text in \"", text, "\"");
  gen.set_state(s);
}

}  // namespace eta::train
