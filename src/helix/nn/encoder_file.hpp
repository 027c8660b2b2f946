// Encoder weight files: safetensors holding the encoder's tensors under their module names, with
// the architecture as JSON in the header metadata ("helix_model"), so helix (or Python's
// safetensors) can rebuild the model from the file alone.
#pragma once

#include <memory>
#include <string>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

struct LoadedEncoder {
  std::shared_ptr<EncoderBase> encoder;
  std::string alphabet;
  nlohmann::json description;
};

void save_encoder(const std::string& path, const EncoderBase& encoder, const std::string& alphabet,
                  const nlohmann::json& extra_metadata = nlohmann::json::object());

// Throws InputError naming the file when it is not a helix encoder file, its description is
// invalid, or a tensor is missing or has the wrong shape.
LoadedEncoder load_encoder(const std::string& path);

}  // namespace helix::nn
