#include "helix/nn/heads.hpp"

namespace helix::nn {

PretrainNetworkImpl::PretrainNetworkImpl(std::shared_ptr<EncoderBase> enc, int64_t out_channels)
    : encoder(register_module("encoder", std::move(enc))) {
  head = register_module("head", torch::nn::Linear(encoder->output_dim(), out_channels));
}

torch::Tensor PretrainNetworkImpl::forward(const torch::Tensor& x) {
  return head(encoder->forward(x));
}

}  // namespace helix::nn
