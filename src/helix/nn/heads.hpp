// Networks made of an encoder and a head.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "helix/nn/encoder.hpp"

namespace helix::nn {

// Encoder followed by a per-position Linear(D -> C) head: FinDNA's Model4Pretrain. Its output
// [B, L, C] holds masked-nucleotide logits at sequence positions and the distillation outputs
// at the CLS rows.
class PretrainNetworkImpl : public torch::nn::Module {
 public:
  PretrainNetworkImpl(std::shared_ptr<EncoderBase> encoder, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, L] -> [B, L, C_out]

  std::shared_ptr<EncoderBase> encoder;
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(PretrainNetwork);

// The IsoCLR/Orthrus projection head (pretraining only, discarded afterwards):
// Linear(in -> hidden) -> BN -> ReLU -> Linear(hidden -> hidden) -> BN -> ReLU ->
// Linear(hidden -> out, no bias). With in 512, hidden 512, out 128: 592,896 parameters.
// Also the MLM head of the IsoCLR MLM variant (out 4, last layer with bias), applied per position.
struct MlpHeadOptions {
  int64_t in = 256;
  int64_t hidden = 512;
  int64_t out = 128;
  bool last_bias = false;
};

class MlpHeadImpl : public torch::nn::Module {
 public:
  explicit MlpHeadImpl(const MlpHeadOptions& options);
  // [N, in] -> [N, out]; batch norm over the N rows.
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
  torch::nn::BatchNorm1d bn1{nullptr}, bn2{nullptr};
};
TORCH_MODULE(MlpHead);

}  // namespace helix::nn
