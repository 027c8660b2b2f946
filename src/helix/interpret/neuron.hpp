// One convolutional neuron of a trained conv_net as NeuronMotif sees it: the sub-network whose
// input is exactly the neuron's receptive field (valid padding, batch norm in inference mode),
// scored by the pre-activation value (after batch norm, before ReLU) at its single output
// position. Also the lower layers' feature maps that demixing clusters, and the geometry
// (receptive fields, pool products) the sampler needs.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "helix/nn/conv_net.hpp"

namespace helix::interpret {

// Geometry of 0-based conv layer `layer`.
struct LayerGeometry {
  int64_t layer = 0;
  int64_t receptive_field = 0;
  int64_t stride = 1;          // S: product of the pool sizes below the layer
  int64_t stride_below = 1;    // S': product of the pool sizes below layer - 1 (1 for layer 0)
  int64_t pool_below = 1;      // p_{L-1}: the pool size right after layer - 1 (1 for layer 0)
  int64_t channels = 0;        // neurons in the layer
  int64_t input_channels = 0;  // channels of layer - 1 (4 for layer 0)
  int64_t kernel = 0;
};

// Throws UsageError when the network does not use valid padding (the sub-network of a padded
// model does not map its receptive field to one position) or the layer is out of range.
LayerGeometry layer_geometry(const nn::ConvNetImpl& net, int64_t layer);

// The same network with valid padding and the same weights: the NeuronMotif extension to padded
// ("same") models. Away from the sequence ends a padded network's units compute exactly what
// the valid one computes on their receptive field (the padding never reaches them), so
// interpreting the valid copy is cropping each interior neuron to its receptive field; the
// units at the ends, which also see padding, are what NeuronMotif leaves out. Dense layers are
// dropped (NeuronMotif reads conv layers only). A valid network is returned as it is.
nn::ConvNet with_valid_padding(const nn::ConvNet& net);

// Base indices (0..3 = A, C, G, T; one byte each) -> one-hot float [n, 4, length].
at::Tensor one_hot_bases(const uint8_t* bases, int64_t n, int64_t length, c10::Device device);

class NeuronScorer {
 public:
  // `net` must stay alive and is put in eval mode; its parameters stop requiring gradients.
  NeuronScorer(nn::ConvNet net, int64_t layer, int64_t channel, c10::Device device);

  const LayerGeometry& geometry() const { return geometry_; }
  int64_t channel() const { return channel_; }
  c10::Device device() const { return device_; }

  // one-hot [B, 4, RF] on device() -> activations [B] (float, on device()).
  at::Tensor score(const at::Tensor& one_hot);
  // Activations [B] and their gradient with respect to the one-hot input, [B, 4, RF].
  std::pair<at::Tensor, at::Tensor> score_and_gradient(const at::Tensor& one_hot);
  // Activations of many sequences given as base indices, in batches; float on the CPU.
  std::vector<float> score_bases(const uint8_t* bases, int64_t n);
  // Pre-activation map of lower layer `lower` (< the neuron's layer) on the RF-long input,
  // flattened to [B, positions x channels].
  at::Tensor feature_map(const at::Tensor& one_hot, int64_t lower);

  // Pool size right after 0-based layer `layer` of the network.
  int64_t pool_after(int64_t layer) const { return net_->options().pools[size_t(layer)]; }
  // This neuron's conv weights with batch norm folded in, [1, C_in, k] (the seeding weights).
  const at::Tensor& folded_weight() const { return weight_; }

  static constexpr int64_t kBatch = 4096;

 private:
  nn::ConvNet net_;
  LayerGeometry geometry_;
  int64_t channel_;
  c10::Device device_;
  at::Tensor weight_;  // folded conv weight of this neuron [1, C_in, k]
  at::Tensor bias_;    // [1]
};

}  // namespace helix::interpret
