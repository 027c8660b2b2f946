// Which pretraining method a config drives, and that method's config schema: shared by
// `helix pretrain` and by downstream commands that rebuild an architecture from a pretraining
// config (`--encoder random:CONFIG`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/util/config.hpp"

namespace helix::train {

// "findna" or "isoclr": a `pretrain.objective=...` override, else the file's pretrain.objective,
// else findna. UsageError for another name. A malformed file is left to Config::merge_file,
// which reports it with its line.
std::string pretraining_objective(const std::string& config_file,
                                  const std::vector<std::string>& overrides = {});

// The method's schema with defaults.
Config pretraining_defaults(const std::string& objective);

// The `--dry-run` description of the config's model ({"model": encoder description, ...}).
nlohmann::json describe_pretraining_model(const Config& config);

}  // namespace helix::train
