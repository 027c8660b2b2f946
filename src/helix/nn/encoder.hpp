// The interface every sequence encoder implements, so that pretraining objectives, embedding,
// probing and fine-tuning work with any architecture built by the registry.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <nlohmann/json.hpp>

namespace helix::nn {

class EncoderBase : public torch::nn::Module {
 public:
  // x: one-hot [B, C, L] -> features [B, L', D] (L' = output_length(L)).
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  virtual int64_t output_dim() const = 0;
  virtual int64_t in_channels() const = 0;
  // Number of output positions for an input of length L (downsampling encoders shrink it).
  virtual int64_t output_length(int64_t length) const { return length; }
  // The architecture, as stored in weight files: {"name": ..., options...}.
  virtual nlohmann::json config() const = 0;
};

}  // namespace helix::nn
