// The training loop every pretraining method shares: resume from the latest checkpoint, log
// interval averages to metrics.jsonl, validate, checkpoint (and refresh encoder.safetensors),
// stop cleanly on SIGINT/SIGTERM or --stop-after, and turn a failing step into an error that
// names the last good checkpoint. A method supplies its step, validation and state through
// PretrainTask.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "helix/train/checkpoint.hpp"
#include "helix/util/config.hpp"

namespace helix::train {

struct PretrainOptions {
  std::filesystem::path out_dir;
  bool resume = false;
  // Start over in a directory that already holds a run: its run files are removed, but only
  // after the config and data have been validated.
  bool force = false;
  // Stop (after writing a checkpoint) once this many steps have run in this invocation; the
  // schedules still span train.steps, so a later --resume continues exactly. 0: no limit.
  int64_t stop_after = 0;
};

// The `train:` keys the loop reads (seed, log_every, val_every, val_batches, checkpoint_every,
// keep_checkpoints, device, threads), as YAML lines with defaults and comments, for a method's
// config schema to end with.
const std::string& pretraining_loop_keys();

// train.device of a config: cpu, cuda or auto (cuda when available).
c10::Device device_from_config(const Config& config);

// Names of the files and folders a run writes into its directory.
const std::vector<std::string>& run_file_names();

// One logged quantity of a step: the log reports sum(value) / sum(weight) over the interval
// (weight 1: the mean over steps; a count: a pooled ratio such as an accuracy).
struct StepMetric {
  std::string name;
  double value = 0;
  double weight = 1;
};

struct StepReport {
  double loss = 0;
  std::vector<StepMetric> averaged;                  // besides "loss"
  std::vector<std::pair<std::string, double>> last;  // reported as of the interval's last step
};

class PretrainTask {
 public:
  virtual ~PretrainTask() = default;
  // Sequences per step, for the seq/s figure.
  virtual int64_t batch_size() const = 0;
  // Called once before the first step with the step the run starts (or resumes) at; batches
  // are then taken in order from there.
  virtual void start(int64_t first_step) = 0;
  // One optimisation step at 0-based `step`. Throws on a non-finite loss before any weight
  // changes.
  virtual StepReport train_step(int64_t step) = 0;
  virtual bool has_validation() const = 0;
  virtual nlohmann::json validate() = 0;
  // A one-line summary of a metrics record for the progress display.
  virtual std::string status(const nlohmann::json& record) const = 0;
  virtual std::vector<std::pair<std::string, at::Tensor>> checkpoint_tensors() const = 0;
  virtual torch::optim::Optimizer& optimizer() = 0;
  virtual void restore(const Checkpoint& checkpoint) = 0;
  // Writes the encoder to be used downstream (encoder.safetensors).
  virtual void save_encoder(const std::filesystem::path& path, int64_t step) = 0;
};

// Runs `task` for train.steps steps into options.out_dir. `config` is written to
// DIR/config.yaml after turning the input paths named in `path_keys` absolute (so --resume works
// from any directory). Returns 0 when done or stopped by --stop-after, 128 + signal when
// interrupted after writing a checkpoint.
int run_pretraining_loop(PretrainTask& task, const Config& config, const PretrainOptions& options,
                         const std::vector<std::string>& path_keys);

}  // namespace helix::train
