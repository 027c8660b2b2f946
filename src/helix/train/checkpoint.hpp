// Training checkpoints: `checkpoints/step-N/` holding `weights.safetensors` (named tensors: model
// weights, EMA teacher, loss state), `optimizer.pt` (LibTorch optimizer archive) and
// `state.json` (step, RNG and data position). The directory is assembled under a temporary name
// and renamed, so a crash never leaves a half-written checkpoint; `latest` names the newest.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace helix::train {

struct Checkpoint {
  int64_t step = 0;
  nlohmann::json state;
  std::map<std::string, at::Tensor> tensors;
  std::filesystem::path directory;
};

// Writes checkpoints/step-<step>/ atomically, points `latest` at it, and removes older
// checkpoints beyond the newest `keep`.
std::filesystem::path save_checkpoint(
    const std::filesystem::path& checkpoints_dir, int64_t step,
    const std::vector<std::pair<std::string, at::Tensor>>& tensors,
    torch::optim::Optimizer& optimizer, const nlohmann::json& state, int keep);

// The newest complete checkpoint, if any.
std::optional<Checkpoint> load_latest_checkpoint(const std::filesystem::path& checkpoints_dir);

// Restores the optimizer saved with a checkpoint.
void load_optimizer(const Checkpoint& checkpoint, torch::optim::Optimizer& optimizer);

// Copies tensors named `prefix + name` from the checkpoint into the module's parameters and
// buffers. Throws Error for a missing or mis-shaped tensor.
void load_module(const Checkpoint& checkpoint, const std::string& prefix,
                 torch::nn::Module& module);

// Keeps the records of a metrics.jsonl log whose "step" is at most `step` (and drops a torn last
// line), so a run resumed from the checkpoint at `step` does not log those steps twice.
void truncate_metrics_log(const std::filesystem::path& path, int64_t step);

}  // namespace helix::train
