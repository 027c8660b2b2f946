#include "helix/eval/embed.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "helix/nn/pooling.hpp"
#include "helix/nn/registry.hpp"

namespace helix::eval {
namespace {

// An IsoCLR encoder takes 6 channels; a plain sequence fills A C G T and leaves the codon and
// splice tracks zero. Rows come back in input order whatever the length grouping.
TEST(Embed, SixTrackEncoderGetsZeroAnnotationTracksAndInputOrder) {
  at::manual_seed(0);
  auto encoder = nn::build_encoder({{"name", "dilated_resnet"},
                                    {"alphabet", "acgt"},
                                    {"in_channels", 6},
                                    {"filters", {4, 4, 8, 8}},
                                    {"blocks", {1, 1, 1, 1}},
                                    {"dilations", {1, 2, 4, 8}}});
  const auto alphabet = seq::Alphabet::from_name("acgt");
  const std::vector<std::string> sequences = {"ACGTACGTACGTACGTACGTAAAC", "GGGTTTACGA",
                                              "ACGTACGTACGTACGTACGTAAAC"};
  const auto e = embed_sequences(*encoder, alphabet, sequences, {2, "cpu"});
  ASSERT_EQ(e.sizes(), (at::IntArrayRef{3, 8}));
  EXPECT_TRUE(at::allclose(e[0], e[2]));
  // By hand: one-hot rows 0-3, two zero rows, the encoder in eval mode, mean over all outputs.
  torch::NoGradGuard no_grad;
  auto x = at::zeros({1, 6, 10});
  const std::string s = sequences[1];
  for (int64_t i = 0; i < 10; ++i) x[0][alphabet.code(s[i])][i] = 1.0f;
  const auto expected = nn::masked_mean(encoder->forward(x), at::Tensor())[0];
  EXPECT_TRUE(at::allclose(e[1], expected, 1e-5, 1e-6));
}

}  // namespace
}  // namespace helix::eval
