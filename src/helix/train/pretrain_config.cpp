#include "helix/train/pretrain_config.hpp"

#include <yaml-cpp/yaml.h>

#include "helix/train/findna_trainer.hpp"
#include "helix/train/isoclr_trainer.hpp"
#include "helix/util/error.hpp"

namespace helix::train {

std::string pretraining_objective(const std::string& config_file,
                                  const std::vector<std::string>& overrides) {
  const std::string key = "pretrain.objective=";
  std::string objective = "findna";
  if (!config_file.empty()) {
    try {
      const auto root = YAML::LoadFile(config_file);
      if (root.IsMap() && root["pretrain"] && root["pretrain"].IsMap() &&
          root["pretrain"]["objective"]) {
        objective = root["pretrain"]["objective"].as<std::string>();
      }
    } catch (const YAML::Exception&) {
      // Reported with its line when the file is merged into the config.
    }
  }
  for (const auto& o : overrides) {
    if (o.rfind(key, 0) == 0) objective = o.substr(key.size());
  }
  if (objective != "findna" && objective != "isoclr") {
    throw UsageError("unknown pretrain.objective '" + objective + "' (available: findna, isoclr)");
  }
  return objective;
}

Config pretraining_defaults(const std::string& objective) {
  return Config(objective == "isoclr" ? isoclr_config_defaults() : findna_config_defaults());
}

std::vector<std::string> pretraining_input_keys(const Config& config) {
  if (config.get_string("pretrain.objective") == "isoclr") {
    return {"data.transcripts", "data.genome", "data.gtf", "data.homology", "data.maf"};
  }
  return {"data.genome", "data.regions", "data.holdout"};
}

nlohmann::json describe_pretraining_model(const Config& config) {
  return config.get_string("pretrain.objective") == "isoclr" ? describe_isoclr_model(config)
                                                             : describe_findna_model(config);
}

nn::SwanOptions swan_options_from_config(const Config& config, int64_t in_channels,
                                         int64_t max_len) {
  nn::SwanOptions o;
  o.in_channels = in_channels;
  o.max_len = max_len;
  o.group_size = config.get_int("model.group_size");
  o.mlp_dim = config.get_int("model.mlp_dim");
  o.n_encoders = config.get_int("model.n_encoders");
  o.layers_per_encoder = config.get_int("model.layers_per_encoder");
  o.dropout = config.get_double("model.dropout");
  return o.resolved();
}

}  // namespace helix::train
