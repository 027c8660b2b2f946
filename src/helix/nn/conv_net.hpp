// Plain 1-D CNN (Basset / DeepSEA / BD-10 style): the supervised from-scratch baseline, and the
// architecture NeuronMotif interprets. Block l: Conv1d(prev -> filters[l], kernels[l], stride 1,
// "same" or "valid" padding, bias only without batch norm) -> BatchNorm1d (optional) -> ReLU ->
// MaxPool1d(pools[l], stride pools[l], floor mode; skipped when pools[l] == 1) -> Dropout.
// Output [B, L', filters.back()] with L' = output_length(L).
//
// With `dense` layers (Basset / DeepSEA style) the trunk output of a fixed `input_length` input is
// flattened (channel-major) and passed through Linear -> ReLU -> Dropout per dense layer: the
// output is then [B, 1, dense.back()]. Shorter inputs are padded on the right with all-zero
// (N) rows up to input_length, so padded batches of shorter sequences give the same result as
// each sequence alone; longer inputs are an error.
//
// "same" padding keeps the length for odd and even kernels (torch's padding='same': total k - 1,
// left (k - 1) / 2, the extra position on the right); "valid" shrinks it by k - 1. Floor-mode
// pooling drops a trailing partial window, so every pooled position sees exactly pools[l] conv
// positions and receptive_field() is exact.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

struct ConvNetOptions {
  int64_t in_channels = 4;
  std::vector<int64_t> filters = {128, 128, 160, 160};
  std::vector<int64_t> kernels = {7, 3, 3, 3};
  std::vector<int64_t> pools = {1, 2, 1, 2};  // max-pool size (= stride) after each conv; 1: none
  std::string padding = "same";               // "same" or "valid"
  bool batch_norm = true;
  double dropout = 0.0;             // after each block (after ReLU and pooling), in training only
  std::vector<int64_t> dense = {};  // widths of the fully connected layers after the trunk
  int64_t input_length = 0;         // required (> 0) with dense layers: the flattened length

  nlohmann::json to_json() const;
  // Missing keys take the defaults above; unknown keys, mismatched or empty lists, non-positive
  // sizes, an unknown padding or a dropout outside [0, 1) throw UsageError. "name" and "alphabet"
  // (present in encoder descriptions) are accepted and ignored.
  static ConvNetOptions from_json(const nlohmann::json& j);
  // Throws UsageError when the options are inconsistent (as from_json does).
  void validate() const;
};

class ConvNetImpl : public EncoderBase {
 public:
  explicit ConvNetImpl(const ConvNetOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;
  int64_t output_dim() const override {
    return options_.dense.empty() ? options_.filters.back() : options_.dense.back();
  }
  int64_t in_channels() const override { return options_.in_channels; }
  // 0 when the input is too short to give any output position; with dense layers 1 for lengths
  // in [1, input_length] and 0 otherwise.
  int64_t output_length(int64_t length) const override;
  // Conv trunk output length for an input of `length` (ignoring dense layers).
  int64_t trunk_output_length(int64_t length) const;
  nlohmann::json config() const override { return options_.to_json(); }

  int64_t num_layers() const { return static_cast<int64_t>(options_.filters.size()); }
  const ConvNetOptions& options() const { return options_; }

  // Conv layer `layer` (0-based) after batch norm and before ReLU, [B, filters[layer], L_layer];
  // the blocks below it run fully (conv, BN, ReLU, pool, dropout in training).
  torch::Tensor preactivation(const torch::Tensor& x, int64_t layer);
  // preactivation(x, l) for every l in [0, layer], in one pass.
  std::vector<torch::Tensor> preactivations(const torch::Tensor& x, int64_t layer);
  // The output of the blocks below `layer` (its input), [B, filters[layer - 1], L'].
  torch::Tensor below(const torch::Tensor& x, int64_t layer);
  // Conv `layer` with batch norm folded in (inference statistics): weight [C_out, C_in, k] and
  // bias [C_out], so that conv1d(h, weight, bias) equals the eval-mode preactivation.
  std::pair<torch::Tensor, torch::Tensor> folded_conv(int64_t layer) const;

  // Input positions one unit of preactivation(x, layer) sees (NeuronMotif): with 1-based layers,
  // RF(1) = k_1 and RF(L) = ((...((k_L) * p_{L-1} + k_{L-1} - 1) * p_{L-2} ...) * p_1) + k_1 - 1.
  // With "valid" padding, unit i of layer l sees input positions [i * S, i * S + RF), where S is
  // the product of the pools below l.
  int64_t receptive_field(int64_t layer) const;

 private:
  // Length after the conv of `layer` (and its pooling when `pooled`) for an input of `length`.
  int64_t length_at(int64_t length, int64_t layer, bool pooled) const;
  torch::Tensor block(const torch::Tensor& x, size_t layer);  // the full block `layer`
  torch::Tensor conv_bn(const torch::Tensor& x, size_t layer);
  void check_input(const torch::Tensor& x) const;

  ConvNetOptions options_;
  torch::nn::ModuleList convs{nullptr};
  torch::nn::ModuleList norms{nullptr};   // empty without batch norm
  torch::nn::ModuleList denses{nullptr};  // empty without dense layers
};
TORCH_MODULE(ConvNet);

}  // namespace helix::nn
