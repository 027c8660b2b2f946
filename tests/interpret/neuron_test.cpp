// The neuron's view of a network: cropping a 'same'-padded model to valid padding keeps what its
// interior units compute.
#include "helix/interpret/neuron.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace helix::interpret {
namespace {

// Each interior unit of the padded network's layer-L map equals the valid copy's single unit on
// an RF-long window of the input, the windows of neighbouring units S apart (S = the pools
// below): the padding never reaches the units NeuronMotif interprets. Odd and even kernels (torch
// pads those unevenly) and pools that do not divide the padding.
TEST(Neuron, ValidPaddingCopyComputesThePaddedNetworksInteriorUnits) {
  at::manual_seed(3);
  nn::ConvNetOptions o;
  o.filters = {6, 5, 4};
  o.kernels = {5, 4, 3};
  o.pools = {2, 3, 1};
  o.padding = "same";
  nn::ConvNet padded(o);
  {
    torch::NoGradGuard no_grad;
    padded->train();
    padded->forward(at::randn({8, 4, 90}));  // batch-norm running statistics away from 0 / 1
    padded->eval();
  }
  auto cropped = with_valid_padding(padded);
  EXPECT_EQ(cropped->options().padding, "valid");
  EXPECT_EQ(with_valid_padding(cropped).get(), cropped.get());  // a valid net is kept as it is
  EXPECT_FALSE(cropped->is_training());
  torch::NoGradGuard no_grad;
  const int64_t length = 150;
  const auto x = at::one_hot(at::randint(0, 4, {1, length}), 4).to(at::kFloat).permute({0, 2, 1});
  for (int64_t layer = 0; layer < 3; ++layer) {
    const auto geometry = layer_geometry(*cropped, layer);
    const int64_t rf = geometry.receptive_field, stride = geometry.stride;
    const auto whole = padded->preactivation(x, layer)[0];  // [C, L_layer]
    auto valid_unit = [&](int64_t start) {
      return cropped->preactivation(x.slice(2, start, start + rf), layer)[0].select(1, 0);
    };
    // Unit `first` (well inside) fixes where its window starts; the others follow S apart.
    const int64_t first = whole.size(1) / 4, last = whole.size(1) - whole.size(1) / 4;
    int64_t start = -1;
    for (int64_t s = 0; s + rf <= length && start < 0; ++s) {
      if (at::allclose(whole.select(1, first), valid_unit(s), 1e-4, 1e-5)) start = s;
    }
    ASSERT_GE(start, 0) << "no window gives unit " << first << " of layer " << layer + 1;
    for (int64_t j = first; j < last && start + (j - first) * stride + rf <= length; ++j) {
      EXPECT_TRUE(
          at::allclose(whole.select(1, j), valid_unit(start + (j - first) * stride), 1e-4, 1e-5))
          << "layer " << layer + 1 << ", unit " << j;
    }
  }
}

}  // namespace
}  // namespace helix::interpret
