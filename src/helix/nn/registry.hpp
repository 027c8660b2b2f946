// Builds encoders from their JSON description ({"name": "swan" | "dilated_resnet" | "conv_net",
// "alphabet": "acgt" | "acgtn", options...}), the same description weight files carry, so a model
// can be rebuilt from its file alone.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

// Throws UsageError for an unknown name or invalid options. The returned description (via
// config()) has every derived field filled in, plus "alphabet".
std::shared_ptr<EncoderBase> build_encoder(const nlohmann::json& description);

// The full description to store with an encoder: its config() plus the alphabet.
nlohmann::json describe_encoder(const EncoderBase& encoder, const std::string& alphabet);

// Number of trainable parameters of a module.
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace helix::nn
