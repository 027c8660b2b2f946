// A whole-sequence predictor: an encoder, a masked mean over its valid output positions, a
// parameter-free BatchNorm, dropout and a linear head. The BatchNorm standardises each pooled
// feature (as the linear probe does, and as MAE's probing head): pretrained encoders' pooled
// features can have means of 10 and spreads of 0.03, which a plain linear head learns from
// very slowly. It is what `helix finetune` trains and `helix predict` runs; its weight file
// carries the encoder description, the head and the task (class names, target names and the
// target standardisation), so predictions are made from the file alone.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

class SequenceModelImpl : public torch::nn::Module {
 public:
  SequenceModelImpl(std::shared_ptr<EncoderBase> encoder, int64_t outputs, double dropout);
  // x: one-hot [B, C, L] (zero rows past each sequence's end), lengths: int64 [B] input lengths
  // or undefined (all L) -> [B, outputs]. Pooling covers each row's encoder output positions
  // encoder->output_length(lengths[b]), so padding never enters the mean.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& lengths);

  std::shared_ptr<EncoderBase> encoder;
  torch::nn::BatchNorm1d norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear head{nullptr};
  double dropout_p = 0.0;
};
TORCH_MODULE(SequenceModel);

// What the model predicts, stored with it.
struct TaskInfo {
  std::string kind;                  // "classification" or "regression"
  std::vector<std::string> classes;  // classification: output k is classes[k]
  std::vector<std::string> targets;  // target column names (regression: output k is targets[k])
  // Regression: the head predicts standardised targets; prediction = output * scale + mean.
  std::vector<double> target_mean;
  std::vector<double> target_scale;
};

struct LoadedModel {
  SequenceModel model{nullptr};
  std::string alphabet;
  TaskInfo task;
  nlohmann::json description;  // the whole "helix_sequence_model" metadata
};

// Writes the model (tensors "encoder.*" and "head.*") atomically, with the metadata above plus
// `extra` (e.g. how it was trained) under "training".
void save_sequence_model(const std::string& path, const SequenceModelImpl& model,
                         const std::string& alphabet, const TaskInfo& task,
                         const nlohmann::json& extra = nlohmann::json::object());

// Throws InputError naming the file when it is not a helix sequence model (e.g. an
// encoder.safetensors: the message says to use it with --encoder), or a tensor is missing or
// mis-shaped. The model is returned in eval mode on the CPU.
LoadedModel load_sequence_model(const std::string& path);

// An encoder description from a YAML file: the mapping under a top-level `model:` key if there
// is one, else the whole file ({name: conv_net, filters: [...], ...}). Throws InputError (file,
// line) for invalid YAML or a file that is not a mapping; the registry validates the contents.
nlohmann::json read_model_description(const std::string& path);

}  // namespace helix::nn
