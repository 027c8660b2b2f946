#include "helix/eval/encoder_source.hpp"

#include <ATen/ATen.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "helix/nn/encoder_file.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/train/pretrain_config.hpp"
#include "helix/util/config.hpp"
#include "helix/util/error.hpp"

namespace helix::eval {

namespace {
bool is_pretraining_config(const std::string& path) {
  try {
    const auto root = YAML::LoadFile(path);
    return root.IsMap() && root["pretrain"];
  } catch (const YAML::Exception&) {
    return false;  // read_model_description reports the YAML error with its line
  }
}

EncoderSource build_random(const std::string& config_path, uint64_t seed, const char* kind) {
  if (!std::filesystem::exists(config_path)) throw InputError(config_path, 0, "no such file");
  auto description = architecture_from_config(config_path);
  EncoderSource out;
  at::manual_seed(seed);
  try {
    out.encoder = nn::build_encoder(description);
  } catch (const UsageError& e) {
    throw InputError(config_path, 0, e.what());
  }
  out.alphabet = description.value("alphabet", std::string("acgt"));
  out.provenance = {{"kind", kind},
                    {"config", config_path},
                    {"seed", seed},
                    {"model", nn::describe_encoder(*out.encoder, out.alphabet)}};
  return out;
}
}  // namespace

nlohmann::json architecture_from_config(const std::string& path) {
  if (is_pretraining_config(path)) {
    Config config = train::pretraining_defaults(train::pretraining_objective(path));
    config.merge_file(path);
    return train::describe_pretraining_model(config).at("model");
  }
  return nn::read_model_description(path);
}

EncoderSource encoder_from_spec(const std::string& spec, uint64_t seed) {
  const std::string prefix = "random:";
  if (spec.rfind(prefix, 0) == 0) {
    auto out = build_random(spec.substr(prefix.size()), seed, "random");
    out.provenance["encoder"] = spec;
    return out;
  }
  auto loaded = nn::load_encoder(spec);
  EncoderSource out;
  out.encoder = loaded.encoder;
  out.alphabet = loaded.alphabet;
  out.provenance = {{"encoder", spec}, {"kind", "pretrained"}, {"model", loaded.description}};
  return out;
}

EncoderSource encoder_from_config(const std::string& config_path, uint64_t seed) {
  auto out = build_random(config_path, seed, "from_scratch");
  out.provenance["encoder"] = "none";
  return out;
}

}  // namespace helix::eval
