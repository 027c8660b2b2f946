// Where a downstream command's encoder comes from: a weight file (encoder.safetensors from
// `helix pretrain`), a randomly initialised encoder of a described architecture (`random:CONFIG`,
// the untrained baseline), or an architecture to train from scratch (`--encoder none --model`).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "helix/nn/encoder.hpp"

namespace helix::eval {

struct EncoderSource {
  std::shared_ptr<nn::EncoderBase> encoder;
  std::string alphabet;
  nlohmann::json provenance;  // {"encoder": spec, "kind": "pretrained"|"random", "model": desc}
};

// An architecture from a YAML file: a pretraining config (one with a `pretrain:` section, resolved
// with that command's defaults, so `random:configs/findna-tiny.yaml` is exactly the architecture
// pretrained by it), else an encoder description (see nn::read_model_description).
nlohmann::json architecture_from_config(const std::string& path);

// spec: "FILE" (pretrained weights) or "random:CONFIG" (weights drawn with torch's default
// initialisation after seeding it with `seed`).
EncoderSource encoder_from_spec(const std::string& spec, uint64_t seed);

// A freshly initialised encoder of the architecture in CONFIG (for training from scratch).
EncoderSource encoder_from_config(const std::string& config_path, uint64_t seed);

}  // namespace helix::eval
