#include "helix/nn/registry.hpp"

#include <c10/util/Exception.h>

#include <cmath>
#include <new>

#include "helix/nn/conv_net.hpp"
#include "helix/nn/dilated_resnet.hpp"
#include "helix/nn/swan.hpp"
#include "helix/seq/alphabet.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {

namespace {

// Sizes beyond this are no model anyone trains here; refusing them up front turns an overflowing
// description (mlp_dim: 4e9) into a clear error instead of std::bad_alloc mid-construction.
constexpr int64_t kMaxSize = int64_t(1) << 24;

void check_sizes(const nlohmann::json& j, const std::string& key) {
  if (j.is_array()) {
    for (const auto& item : j) check_sizes(item, key);
  } else if (j.is_number_integer() || j.is_number_unsigned()) {
    const auto v = j.get<double>();
    if (v < 0 || v > double(kMaxSize)) {
      throw UsageError("encoder option '" + key + "' = " + j.dump() + " is outside [0, " +
                       std::to_string(kMaxSize) + "]");
    }
  } else if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    throw UsageError("encoder option '" + key + "' is not a finite number");
  }
}

}  // namespace

std::shared_ptr<EncoderBase> build_encoder(const nlohmann::json& description) {
  if (!description.is_object()) throw UsageError("an encoder description must be a JSON object");
  const auto name = description.value("name", std::string());
  for (const auto& [key, value] : description.items()) check_sizes(value, key);
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
  } catch (const std::bad_alloc&) {
    throw UsageError("the " + name + " encoder described (" + description.dump() +
                     ") needs more memory than this machine has");
  } catch (const c10::Error& e) {
    throw UsageError("cannot build the " + name +
                     " encoder described: " + e.what_without_backtrace());
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
