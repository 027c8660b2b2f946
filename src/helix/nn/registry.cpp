#include "helix/nn/registry.hpp"

#include "helix/nn/conv_net.hpp"
#include "helix/nn/dilated_resnet.hpp"
#include "helix/nn/swan.hpp"
#include "helix/seq/alphabet.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {

std::shared_ptr<EncoderBase> build_encoder(const nlohmann::json& description) {
  const auto name = description.value("name", std::string());
  const auto alphabet =
      seq::Alphabet::from_name(description.value("alphabet", std::string("acgt")));
  auto options = description;
  options["in_channels"] = description.value("in_channels", alphabet.channels());
  try {
    if (name == "swan") return std::make_shared<SwanEncoderImpl>(SwanOptions::from_json(options));
    if (name == "dilated_resnet") {
      return std::make_shared<DilatedResNetImpl>(DilatedResNetOptions::from_json(options));
    }
    if (name == "conv_net") {
      return std::make_shared<ConvNetImpl>(ConvNetOptions::from_json(options));
    }
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("invalid " + name + " encoder options: " + e.what());
  }
  throw UsageError("unknown encoder '" + name + "' (expected swan, dilated_resnet or conv_net)");
}

nlohmann::json describe_encoder(const EncoderBase& encoder, const std::string& alphabet) {
  auto j = encoder.config();
  j["alphabet"] = alphabet;
  return j;
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace helix::nn
