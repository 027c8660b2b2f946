// Supervised training of a SequenceModel on a labelled set: full fine-tuning of a pretrained
// encoder with a small head, or training from scratch (the supervised baseline). AdamW with
// linear warm-up and cosine decay; the model is evaluated on dev at fixed intervals and the best
// one (by the selection metric on dev, never on test) is kept; training stops early after
// `patience` evaluations without improvement. Resumable: a checkpoint is written after every
// evaluation, and the data order and dropout masks depend only on (seed, step).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/data/labeled.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/util/config.hpp"

namespace helix::eval {

// The schema of `helix finetune` (section `finetune`), with defaults.
const std::string& finetune_config_defaults();

struct FinetuneOptions {
  std::filesystem::path out_dir;
  bool resume = false;
  bool force = false;
  int64_t stop_after = 0;  // stop (after a checkpoint) after this many steps in this invocation
};

// Files and folders a run writes into its directory.
const std::vector<std::string>& finetune_file_names();

// Task description of a training set (standardisation of regression targets included).
nn::TaskInfo task_info_for(const data::LabeledSet& train);

// Trains `model` (whose encoder is already initialised: pretrained or random) on train,
// selecting on dev, then writes into out_dir: config.yaml, metrics.jsonl (one record per
// evaluation), checkpoints/, model.safetensors (the selected model), metrics.json (the dev and,
// when a test set is given, test metrics of the selected model) and predictions.tsv (test, or dev
// without a test set). `provenance` is stored in metrics.json and the model file (e.g. which
// encoder it started from). Returns the exit code: 0, or 128 + signal when interrupted after a
// checkpoint.
int run_finetune(nn::SequenceModel model, const std::string& alphabet, const Config& config,
                 const data::LabeledSet& train, const data::LabeledSet& dev,
                 const data::LabeledSet* test, const FinetuneOptions& options,
                 const nlohmann::json& provenance);

// Predictions of a model for sequences, in input order: class probabilities [N][C] or
// de-standardised targets [N][T], row-major.
std::vector<double> predict_scores(nn::SequenceModelImpl& model, const nn::TaskInfo& task,
                                   const std::string& alphabet,
                                   const std::vector<std::string>& sequences, int64_t batch_size,
                                   const std::string& device = "cpu");

}  // namespace helix::eval
