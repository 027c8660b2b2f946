// Which pretraining method a config drives, and that method's config schema: shared by
// `helix pretrain` and by downstream commands that rebuild an architecture from a pretraining
// config (`--encoder random:CONFIG`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/nn/swan.hpp"
#include "helix/util/config.hpp"

namespace helix::train {

// "findna" or "isoclr": a `pretrain.objective=...` override, else the file's pretrain.objective,
// else findna. UsageError for another name. A malformed file is left to Config::merge_file,
// which reports it with its line.
std::string pretraining_objective(const std::string& config_file,
                                  const std::vector<std::string>& overrides = {});

// The method's schema with defaults.
Config pretraining_defaults(const std::string& objective);

// The config keys naming input files of the config's method (data.genome, data.gtf, ...).
std::vector<std::string> pretraining_input_keys(const Config& config);

// The `--dry-run` description of the config's model ({"model": encoder description, ...}).
nlohmann::json describe_pretraining_model(const Config& config);

// The Swan mixer of a pretraining config's model.* keys (group_size, mlp_dim, n_encoders,
// layers_per_encoder, dropout), sized for inputs of up to max_len positions, derived fields
// filled in.
nn::SwanOptions swan_options_from_config(const Config& config, int64_t in_channels,
                                         int64_t max_len);

}  // namespace helix::train
