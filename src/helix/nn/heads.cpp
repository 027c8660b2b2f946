#include "helix/nn/heads.hpp"

#include <ATen/ATen.h>

namespace helix::nn {

PretrainNetworkImpl::PretrainNetworkImpl(std::shared_ptr<EncoderBase> enc, int64_t out_channels)
    : encoder(register_module("encoder", std::move(enc))) {
  head = register_module("head", torch::nn::Linear(encoder->output_dim(), out_channels));
}

torch::Tensor PretrainNetworkImpl::forward(const torch::Tensor& x) {
  return head(encoder->forward(x));
}

MlpHeadImpl::MlpHeadImpl(const MlpHeadOptions& o) {
  fc1 = register_module("fc1", torch::nn::Linear(o.in, o.hidden));
  bn1 = register_module("bn1", torch::nn::BatchNorm1d(o.hidden));
  fc2 = register_module("fc2", torch::nn::Linear(o.hidden, o.hidden));
  bn2 = register_module("bn2", torch::nn::BatchNorm1d(o.hidden));
  fc3 = register_module(
      "fc3", torch::nn::Linear(torch::nn::LinearOptions(o.hidden, o.out).bias(o.last_bias)));
}

torch::Tensor MlpHeadImpl::forward(const torch::Tensor& x) {
  auto h = at::relu(bn1(fc1(x)));
  h = at::relu(bn2(fc2(h)));
  return fc3(h);
}

}  // namespace helix::nn
