#include "helix/nn/encoder_file.hpp"

#include "helix/io/safetensors.hpp"
#include "helix/nn/module_tensors.hpp"
#include "helix/nn/registry.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {

namespace {
constexpr const char* kFormat = "helix.encoder.v1";
}

void save_encoder(const std::string& path, const EncoderBase& encoder, const std::string& alphabet,
                  const nlohmann::json& extra_metadata) {
  const auto tensors = module_tensors(encoder);
  std::map<std::string, std::string> metadata = {
      {"format", kFormat},
      {"helix_model", describe_encoder(encoder, alphabet).dump()},
      {"helix_version", HELIX_VERSION}};
  for (const auto& item : extra_metadata.items()) {
    metadata[item.key()] =
        item.value().is_string() ? item.value().get<std::string>() : item.value().dump();
  }
  io::save_safetensors(path, tensors, metadata);
}

LoadedEncoder load_encoder(const std::string& path) {
  const auto file = io::load_safetensors(path);
  auto it = file.metadata.find("helix_model");
  if (it == file.metadata.end()) {
    throw InputError(path, 0, "not a helix encoder file (no 'helix_model' entry in the metadata)");
  }
  LoadedEncoder out;
  try {
    out.description = nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, 0, std::string("invalid 'helix_model' metadata: ") + e.what());
  }
  out.alphabet = out.description.value("alphabet", std::string("acgt"));
  try {
    out.encoder = build_encoder(out.description);
  } catch (const UsageError& e) {
    throw InputError(path, 0, e.what());
  }
  const std::map<std::string, at::Tensor> stored(file.tensors.begin(), file.tensors.end());
  load_module_tensors(stored, "", *out.encoder,
                      [&](const std::string& problem) { throw InputError(path, 0, problem); });
  out.encoder->eval();
  return out;
}

}  // namespace helix::nn
