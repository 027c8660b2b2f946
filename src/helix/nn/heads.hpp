// Networks made of an encoder and a head.
#pragma once

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

}  // namespace helix::nn
