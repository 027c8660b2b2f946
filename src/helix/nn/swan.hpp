// The SwanDNA / ChordMixer-style mixer encoder that FinDNA pretrains: a linear embedding of the
// one-hot input (no positional encoding), then `n_encoders` encoders of `layers_per_encoder`
// mixer layers. A mixer layer is x <- x + Shift(MLP(x)), where Shift rolls channel group g by
// 2^(g-1) positions (group 0 stays), so one encoder of ceil(log2 L) layers mixes globally.
// There is no normalisation (the original's "None").
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

struct SwanOptions {
  int64_t in_channels = 5;
  // Longest input (positions, CLS rows included) the architecture is sized for; sets the
  // default depth ceil(log2 max_len) and width (ceil(log2 max_len) + 1) * group_size.
  int64_t max_len = 1010;
  int64_t group_size = 28;
  int64_t mlp_dim = 512;
  int64_t n_encoders = 4;
  int64_t layers_per_encoder = 0;  // 0: ceil(log2 max_len)
  int64_t width = 0;               // 0: (ceil(log2 max_len) + 1) * group_size
  double dropout = 0.0;

  // Fills the derived fields (width, layers_per_encoder).
  SwanOptions resolved() const;
  nlohmann::json to_json() const;
  static SwanOptions from_json(const nlohmann::json& j);
};

// ceil(log2 n) for n >= 1.
int64_t ceil_log2(int64_t n);

class SwanMixerLayerImpl : public torch::nn::Module {
 public:
  SwanMixerLayerImpl(int64_t width, int64_t mlp_dim, int64_t group_size, double dropout);
  // x: [B, L, D] -> [B, L, D]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};

 private:
  int64_t group_size_;
  double dropout_;
};
TORCH_MODULE(SwanMixerLayer);

class SwanEncoderImpl : public EncoderBase {
 public:
  explicit SwanEncoderImpl(const SwanOptions& options);
  // x: one-hot [B, C, L] (helix convention) -> features [B, L, D] (channel-last, as the mixer
  // works; pooling and heads take it in this layout).
  torch::Tensor forward(const torch::Tensor& x) override;
  int64_t output_dim() const override { return options_.width; }
  int64_t in_channels() const override { return options_.in_channels; }
  nlohmann::json config() const override { return options_.to_json(); }
  const SwanOptions& options() const { return options_; }

  torch::nn::Linear embedding{nullptr};
  torch::nn::ModuleList encoder{nullptr};

 private:
  SwanOptions options_;
};
TORCH_MODULE(SwanEncoder);

}  // namespace helix::nn
