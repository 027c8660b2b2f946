// Dilated residual 1-D CNN (the IsoCLR/Saluki-era encoder, `dilated_small` by default):
// stem Conv1d(C->f0, k, same) -> BN -> ReLU -> MaxPool(2); stages of residual blocks
// (conv -> ReLU -> BN -> ReLU -> Dropout -> conv -> ReLU -> BN, plus a 1x1 conv + BN shortcut
// when the width changes, then ReLU), dilation constant within a stage, MaxPool(2) after each
// stage, no dropout in the last stage. Output [B, ceil(L / 2^(stages+1)), f_last].
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

struct DilatedResNetOptions {
  int64_t in_channels = 6;
  std::vector<int64_t> filters = {64, 128, 128, 256};
  std::vector<int64_t> blocks = {2, 2, 2, 2};
  std::vector<int64_t> dilations = {1, 2, 4, 8};
  int64_t kernel_size = 2;
  double dropout = 0.1;

  nlohmann::json to_json() const;
  static DilatedResNetOptions from_json(const nlohmann::json& j);
};

class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(int64_t in, int64_t out, int64_t kernel, int64_t dilation, double dropout);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, L] -> [B, C', L]

 private:
  torch::nn::Conv1d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
  torch::nn::BatchNorm1d bn1{nullptr}, bn2{nullptr}, shortcut_bn{nullptr};
  double dropout_;
};
TORCH_MODULE(ResidualBlock);

class DilatedResNetImpl : public EncoderBase {
 public:
  explicit DilatedResNetImpl(const DilatedResNetOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;
  int64_t output_dim() const override { return options_.filters.back(); }
  int64_t in_channels() const override { return options_.in_channels; }
  int64_t output_length(int64_t length) const override;
  nlohmann::json config() const override { return options_.to_json(); }

 private:
  DilatedResNetOptions options_;
  torch::nn::Conv1d stem{nullptr};
  torch::nn::BatchNorm1d stem_bn{nullptr};
  torch::nn::ModuleList stages{nullptr};
};
TORCH_MODULE(DilatedResNet);

}  // namespace helix::nn
