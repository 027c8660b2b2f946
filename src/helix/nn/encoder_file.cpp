#include "helix/nn/encoder_file.hpp"

#include <torch/csrc/autograd/grad_mode.h>

#include "helix/io/safetensors.hpp"
#include "helix/nn/registry.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {

namespace {
constexpr const char* kFormat = "helix.encoder.v1";
}

void save_encoder(const std::string& path, const EncoderBase& encoder, const std::string& alphabet,
                  const nlohmann::json& extra_metadata) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& p : encoder.named_parameters())
    tensors.emplace_back(p.key(), p.value().detach());
  for (const auto& b : encoder.named_buffers()) tensors.emplace_back(b.key(), b.value().detach());
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
  torch::NoGradGuard no_grad;
  std::map<std::string, at::Tensor> stored(file.tensors.begin(), file.tensors.end());
  auto assign = [&](const std::string& name, at::Tensor target) {
    auto s = stored.find(name);
    if (s == stored.end()) throw InputError(path, 0, "missing tensor '" + name + "'");
    if (s->second.sizes() != target.sizes()) {
      throw InputError(path, 0,
                       "tensor '" + name + "' has shape " + c10::str(s->second.sizes()) +
                           ", the model expects " + c10::str(target.sizes()));
    }
    target.copy_(s->second);
  };
  for (auto& p : out.encoder->named_parameters()) assign(p.key(), p.value());
  for (auto& b : out.encoder->named_buffers()) assign(b.key(), b.value());
  out.encoder->eval();
  return out;
}

}  // namespace helix::nn
