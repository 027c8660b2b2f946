#include "helix/nn/swan.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/dropout.h>

#include "helix/nn/shift_add.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {

int64_t ceil_log2(int64_t n) {
  int64_t k = 0;
  while ((int64_t{1} << k) < n) ++k;
  return k;
}

SwanOptions SwanOptions::resolved() const {
  SwanOptions o = *this;
  if (o.max_len < 2) throw UsageError("swan: max_len must be at least 2");
  if (o.group_size < 1 || o.mlp_dim < 1 || o.n_encoders < 1 || o.in_channels < 1) {
    throw UsageError("swan: group_size, mlp_dim, n_encoders and in_channels must be positive");
  }
  const int64_t depth = ceil_log2(o.max_len);
  if (o.layers_per_encoder <= 0) o.layers_per_encoder = depth;
  if (o.width <= 0) o.width = (depth + 1) * o.group_size;
  return o;
}

nlohmann::json SwanOptions::to_json() const {
  return {{"name", "swan"},
          {"in_channels", in_channels},
          {"max_len", max_len},
          {"group_size", group_size},
          {"mlp_dim", mlp_dim},
          {"n_encoders", n_encoders},
          {"layers_per_encoder", layers_per_encoder},
          {"width", width},
          {"dropout", dropout}};
}

SwanOptions SwanOptions::from_json(const nlohmann::json& j) {
  SwanOptions o;
  o.in_channels = j.value("in_channels", o.in_channels);
  o.max_len = j.value("max_len", o.max_len);
  o.group_size = j.value("group_size", o.group_size);
  o.mlp_dim = j.value("mlp_dim", o.mlp_dim);
  o.n_encoders = j.value("n_encoders", o.n_encoders);
  o.layers_per_encoder = j.value("layers_per_encoder", o.layers_per_encoder);
  o.width = j.value("width", o.width);
  o.dropout = j.value("dropout", o.dropout);
  return o.resolved();
}

SwanMixerLayerImpl::SwanMixerLayerImpl(int64_t width, int64_t mlp_dim, int64_t group_size,
                                       double dropout)
    : group_size_(group_size), dropout_(dropout) {
  fc1 = register_module("fc1", torch::nn::Linear(width, mlp_dim));
  fc2 = register_module("fc2", torch::nn::Linear(mlp_dim, width));
}

torch::Tensor SwanMixerLayerImpl::forward(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  auto h = at::gelu(fc1(x));  // exact (erf) GELU, as the original
  if (dropout_ > 0) h = F::dropout(h, F::DropoutFuncOptions().p(dropout_).training(is_training()));
  h = fc2(h);
  if (dropout_ > 0) h = F::dropout(h, F::DropoutFuncOptions().p(dropout_).training(is_training()));
  // The residual adds the unshifted input; only the MLP output is shifted.
  return shift_add(x, h, group_size_);
}

SwanEncoderImpl::SwanEncoderImpl(const SwanOptions& options) : options_(options.resolved()) {
  const auto& o = options_;
  embedding = register_module("embedding", torch::nn::Linear(o.in_channels, o.width));
  encoder = register_module("encoder", torch::nn::ModuleList());
  for (int64_t e = 0; e < o.n_encoders; ++e) {
    torch::nn::ModuleList layers;
    for (int64_t l = 0; l < o.layers_per_encoder; ++l) {
      layers->push_back(SwanMixerLayer(o.width, o.mlp_dim, o.group_size, o.dropout));
    }
    encoder->push_back(layers);
  }
}

torch::Tensor SwanEncoderImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 3 && x.size(1) == options_.in_channels, "swan expects input [B, ",
              options_.in_channels, ", L], got ", x.sizes());
  auto h = embedding(x.transpose(1, 2));
  for (const auto& block : *encoder) {
    for (const auto& layer : *block->as<torch::nn::ModuleList>()) {
      h = layer->as<SwanMixerLayer>()->forward(h);
    }
  }
  return h;
}

}  // namespace helix::nn
