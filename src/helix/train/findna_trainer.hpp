// FinDNA self-distillation pretraining (docs/methods/findna.md, corrected behaviour): a student
// network trained on masked, noised, possibly reverse-complemented views with a masked-nucleotide
// loss plus a DINO distillation loss against an EMA teacher that sees augmented clean views.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/train/pretrain_loop.hpp"
#include "helix/util/config.hpp"

namespace helix::train {

// The config schema with the paper's values as defaults (sections pretrain, model, data,
// findna, train).
const std::string& findna_config_defaults();

// The model the config describes, as stored in weight files ({"name": "swan", ...}), with
// parameter counts and FLOP estimates: what `helix pretrain --dry-run` prints.
nlohmann::json describe_findna_model(const Config& config);

// Runs (or resumes) pretraining. Returns the process exit code: 0 when the run completed,
// 128 + signal when it was interrupted after writing a checkpoint. Throws helix errors for bad
// input (before anything is written) and for a non-finite loss (the last checkpoint is kept).
int run_findna_pretraining(const Config& config, const PretrainOptions& options);

}  // namespace helix::train
