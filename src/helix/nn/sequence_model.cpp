#include "helix/nn/sequence_model.hpp"

#include <yaml-cpp/yaml.h>

#include <map>

#include "helix/io/safetensors.hpp"
#include "helix/nn/module_tensors.hpp"
#include "helix/nn/pooling.hpp"
#include "helix/nn/registry.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {

namespace {
constexpr const char* kFormat = "helix.sequence_model.v1";
constexpr const char* kMetadataKey = "helix_sequence_model";

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      auto j = nlohmann::json::object();
      for (const auto& item : node) j[item.first.as<std::string>()] = yaml_to_json(item.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      auto j = nlohmann::json::array();
      for (const auto& item : node) j.push_back(yaml_to_json(item));
      return j;
    }
    case YAML::NodeType::Scalar: {
      // Plain scalars keep the type YAML would give them; quoted ones stay strings.
      if (node.Tag() != "!") {
        int64_t i = 0;
        double d = 0.0;
        bool b = false;
        if (YAML::convert<int64_t>::decode(node, i)) return i;
        if (YAML::convert<double>::decode(node, d)) return d;
        if (YAML::convert<bool>::decode(node, b)) return b;
      }
      return node.as<std::string>();
    }
    default:
      return nullptr;
  }
}
}  // namespace

SequenceModelImpl::SequenceModelImpl(std::shared_ptr<EncoderBase> encoder_in, int64_t outputs,
                                     double dropout_in)
    : encoder(register_module("encoder", std::move(encoder_in))), dropout_p(dropout_in) {
  if (outputs < 1) throw UsageError("a model needs at least one output");
  if (!(dropout_p >= 0.0 && dropout_p < 1.0)) throw UsageError("head dropout must be in [0, 1)");
  norm = register_module(
      "norm",
      torch::nn::BatchNorm1d(torch::nn::BatchNormOptions(encoder->output_dim()).affine(false)));
  dropout = register_module("dropout", torch::nn::Dropout(dropout_p));
  head = register_module("head", torch::nn::Linear(encoder->output_dim(), outputs));
}

torch::Tensor SequenceModelImpl::forward(const torch::Tensor& x, const torch::Tensor& lengths) {
  auto features = encoder->forward(x);  // [B, L', D]
  torch::Tensor out_lengths;
  if (lengths.defined()) {
    auto cpu = lengths.to(torch::kCPU).to(torch::kLong).contiguous();
    out_lengths = torch::empty_like(cpu);
    const auto* in = cpu.data_ptr<int64_t>();
    auto* out = out_lengths.data_ptr<int64_t>();
    for (int64_t b = 0; b < cpu.numel(); ++b) out[b] = encoder->output_length(in[b]);
  }
  auto pooled = masked_mean(features, out_lengths);
  torch::Tensor standardised;
  if (is_training() && pooled.size(0) == 1) {
    // Batch statistics of one sample are undefined: use the running ones.
    norm->eval();
    standardised = norm(pooled);
    norm->train();
  } else {
    standardised = norm(pooled);
  }
  return head(dropout(standardised));
}

void save_sequence_model(const std::string& path, const SequenceModelImpl& model,
                         const std::string& alphabet, const TaskInfo& task,
                         const nlohmann::json& extra) {
  nlohmann::json description = {
      {"format", kFormat},
      {"encoder", describe_encoder(*model.encoder, alphabet)},
      {"head", {{"outputs", model.head->options.out_features()}, {"dropout", model.dropout_p}}},
      {"task",
       {{"kind", task.kind},
        {"classes", task.classes},
        {"targets", task.targets},
        {"target_mean", task.target_mean},
        {"target_scale", task.target_scale}}},
      {"training", extra}};
  std::map<std::string, std::string> metadata = {
      {"format", kFormat}, {kMetadataKey, description.dump()}, {"helix_version", HELIX_VERSION}};
  io::save_safetensors(path, module_tensors(model), metadata);
}

LoadedModel load_sequence_model(const std::string& path) {
  const auto file = io::load_safetensors(path);
  auto it = file.metadata.find(kMetadataKey);
  if (it == file.metadata.end()) {
    if (file.metadata.count("helix_model") != 0) {
      throw InputError(path, 0,
                       "this is an encoder file, not a trained model: pass it as --encoder to "
                       "helix probe or helix finetune (which writes model.safetensors)");
    }
    throw InputError(path, 0, "not a helix model file (no 'helix_sequence_model' metadata)");
  }
  LoadedModel out;
  try {
    out.description = nlohmann::json::parse(it->second);
    const auto& task = out.description.at("task");
    out.task.kind = task.at("kind").get<std::string>();
    out.task.classes = task.at("classes").get<std::vector<std::string>>();
    out.task.targets = task.at("targets").get<std::vector<std::string>>();
    out.task.target_mean = task.at("target_mean").get<std::vector<double>>();
    out.task.target_scale = task.at("target_scale").get<std::vector<double>>();
    const auto& encoder_description = out.description.at("encoder");
    out.alphabet = encoder_description.value("alphabet", std::string("acgt"));
    const auto& head = out.description.at("head");
    out.model = SequenceModel(build_encoder(encoder_description), head.at("outputs").get<int64_t>(),
                              head.at("dropout").get<double>());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, 0, std::string("invalid model metadata: ") + e.what());
  } catch (const UsageError& e) {
    throw InputError(path, 0, std::string("invalid model description: ") + e.what());
  }
  const auto outputs = out.model->head->options.out_features();
  const bool classification = out.task.kind == "classification";
  if ((classification && static_cast<int64_t>(out.task.classes.size()) != outputs) ||
      (!classification &&
       (out.task.kind != "regression" || static_cast<int64_t>(out.task.targets.size()) != outputs ||
        out.task.target_mean.size() != out.task.targets.size() ||
        out.task.target_scale.size() != out.task.targets.size()))) {
    throw InputError(path, 0, "model metadata: the task does not match the head's outputs");
  }
  const std::map<std::string, at::Tensor> stored(file.tensors.begin(), file.tensors.end());
  load_module_tensors(stored, "", *out.model,
                      [&](const std::string& problem) { throw InputError(path, 0, problem); });
  out.model->eval();
  return out;
}

nlohmann::json read_model_description(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(path, 0, "cannot read model config");
  } catch (const YAML::Exception& e) {
    throw InputError(path, e.mark.line + 1, "invalid YAML: " + e.msg);
  }
  if (root.IsMap() && root["model"]) root = root["model"];
  if (!root.IsMap()) {
    throw InputError(path, 0,
                     "expected a mapping describing an encoder, e.g. {name: conv_net, ...} (or "
                     "one under a top-level 'model:' key)");
  }
  return yaml_to_json(root);
}

}  // namespace helix::nn
