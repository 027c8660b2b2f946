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
// checkpoints beyond the newest `keep` (each renamed away before it is deleted).
std::filesystem::path save_checkpoint(
    const std::filesystem::path& checkpoints_dir, int64_t step,
    const std::vector<std::pair<std::string, at::Tensor>>& tensors,
    torch::optim::Optimizer& optimizer, const nlohmann::json& state, int keep);

// Removes what an interrupted save or prune left behind: temporaries (".step-N.tmp.*",
// ".latest.tmp.*", up to hundreds of KB each) and step-N directories without state.json. Called
// after every save and when a run starts.
void remove_stale_checkpoint_files(const std::filesystem::path& checkpoints_dir);

// True when the directory holds at least one complete checkpoint.
bool holds_checkpoint(const std::filesystem::path& checkpoints_dir);

// Guards a fresh run: when it fails (an exception leaves the scope) before its first
// checkpoint, e.g. on bad data found while building batches or a non-finite first loss, the run
// files it wrote under `out` are removed (and `out` itself when then empty), so nothing
// half-made stays behind.
class FreshRunCleanup {
 public:
  FreshRunCleanup(std::filesystem::path out, std::vector<std::string> run_files, bool armed);
  ~FreshRunCleanup();
  FreshRunCleanup(const FreshRunCleanup&) = delete;
  FreshRunCleanup& operator=(const FreshRunCleanup&) = delete;

 private:
  std::filesystem::path out_;
  std::vector<std::string> run_files_;
  bool armed_;
  int exceptions_;
};

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
