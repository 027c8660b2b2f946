#include "helix/interpret/neuron.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <string>

#include "helix/util/error.hpp"

namespace helix::interpret {

LayerGeometry layer_geometry(const nn::ConvNetImpl& net, int64_t layer) {
  const auto& o = net.options();
  if (o.padding != "valid") {
    throw UsageError(
        "neuronmotif needs a conv_net with `padding: valid` (this one has padding: " + o.padding +
        "): only then does a neuron's sub-network map its receptive field to one "
        "position");
  }
  if (layer < 0 || layer >= net.num_layers()) {
    throw UsageError("layer " + std::to_string(layer + 1) + " out of range: the network has " +
                     std::to_string(net.num_layers()) + " conv layers (1-based)");
  }
  LayerGeometry g;
  g.layer = layer;
  g.receptive_field = net.receptive_field(layer);
  for (int64_t l = 0; l < layer; ++l) g.stride *= o.pools[static_cast<size_t>(l)];
  for (int64_t l = 0; l + 1 < layer; ++l) g.stride_below *= o.pools[static_cast<size_t>(l)];
  g.pool_below = layer > 0 ? o.pools[static_cast<size_t>(layer - 1)] : 1;
  g.channels = o.filters[static_cast<size_t>(layer)];
  g.input_channels = layer > 0 ? o.filters[static_cast<size_t>(layer - 1)] : o.in_channels;
  g.kernel = o.kernels[static_cast<size_t>(layer)];
  return g;
}

nn::ConvNet with_valid_padding(const nn::ConvNet& net) {
  if (net->options().padding == "valid") return net;
  auto o = net->options();
  o.padding = "valid";
  o.dense.clear();  // the flattened trunk length changes with the padding; conv layers only
  o.input_length = 0;
  nn::ConvNet cropped(o);
  torch::NoGradGuard no_grad;
  const auto source_parameters = net->named_parameters(/*recurse=*/true);
  for (auto& p : cropped->named_parameters(/*recurse=*/true)) {
    p.value().copy_(source_parameters[p.key()]);
  }
  const auto source_buffers = net->named_buffers(/*recurse=*/true);
  for (auto& b : cropped->named_buffers(/*recurse=*/true)) b.value().copy_(source_buffers[b.key()]);
  cropped->to(net->parameters().front().device());
  cropped->train(net->is_training());
  return cropped;
}

at::Tensor one_hot_bases(const uint8_t* bases, int64_t n, int64_t length, c10::Device device) {
  auto indices =
      at::from_blob(const_cast<uint8_t*>(bases), {n, length}, at::kByte).to(device, at::kLong);
  return at::one_hot(indices, 4).to(at::kFloat).permute({0, 2, 1}).contiguous();
}

NeuronScorer::NeuronScorer(nn::ConvNet net, int64_t layer, int64_t channel, c10::Device device)
    : net_(std::move(net)),
      geometry_(layer_geometry(*net_, layer)),
      channel_(channel),
      device_(device) {
  if (channel < 0 || channel >= geometry_.channels) {
    throw UsageError("neuron " + std::to_string(channel) + " out of range: layer " +
                     std::to_string(layer + 1) + " has " + std::to_string(geometry_.channels) +
                     " neurons (0-based)");
  }
  if (net_->options().in_channels != 4) {
    throw UsageError("neuronmotif needs a 4-channel (A, C, G, T) network");
  }
  net_->eval();
  for (auto& p : net_->parameters()) p.set_requires_grad(false);
  auto [weight, bias] = net_->folded_conv(layer);
  weight_ = weight.slice(0, channel, channel + 1).to(device).contiguous();
  bias_ = bias.slice(0, channel, channel + 1).to(device).contiguous();
}

at::Tensor NeuronScorer::score(const at::Tensor& one_hot) {
  auto below = net_->below(one_hot, geometry_.layer);
  return at::conv1d(below, weight_, bias_).view({-1});
}

std::pair<at::Tensor, at::Tensor> NeuronScorer::score_and_gradient(const at::Tensor& one_hot) {
  torch::AutoGradMode enable(true);
  auto x = one_hot.detach().clone().set_requires_grad(true);
  auto a = score(x);
  auto grad = torch::autograd::grad({a.sum()}, {x})[0];
  return {a.detach(), grad};
}

std::vector<float> NeuronScorer::score_bases(const uint8_t* bases, int64_t n) {
  torch::NoGradGuard no_grad;
  const int64_t rf = geometry_.receptive_field;
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t start = 0; start < n; start += kBatch) {
    const int64_t count = std::min(kBatch, n - start);
    auto a = score(one_hot_bases(bases + start * rf, count, rf, device_)).to(at::kCPU);
    std::copy_n(a.data_ptr<float>(), count, out.begin() + start);
  }
  return out;
}

at::Tensor NeuronScorer::feature_map(const at::Tensor& one_hot, int64_t lower) {
  TORCH_CHECK(lower >= 0 && lower < geometry_.layer, "feature_map: layer ", lower,
              " is not below layer ", geometry_.layer);
  return net_->preactivations(one_hot, lower).back().flatten(1);
}

}  // namespace helix::interpret
