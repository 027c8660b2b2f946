#include "helix/nn/swan.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <filesystem>

#include "helix/nn/encoder_file.hpp"
#include "helix/nn/heads.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/shift_add.hpp"

namespace helix::nn {
namespace {

TEST(Swan, PaperConfigParameterCounts) {
  SwanOptions o;  // acgtn, 1000 nt + 10 CLS, group 28, MLP 512, 4 encoders
  auto encoder = std::make_shared<SwanEncoderImpl>(o);
  EXPECT_EQ(encoder->output_dim(), 308);
  EXPECT_EQ(encoder->options().layers_per_encoder, 10);
  EXPECT_EQ(count_parameters(*encoder), 12650328);
  PretrainNetwork net(encoder, 5);
  EXPECT_EQ(count_parameters(*net), 12651873);
  SwanMixerLayer layer(308, 512, 28, 0.0);
  EXPECT_EQ(count_parameters(*layer), 316212);
}

TEST(Swan, SmallConfigParameterCount) {
  // The 0.46 M-parameter configuration of the CPU baseline.
  SwanOptions o;
  o.group_size = 8;
  o.mlp_dim = 128;
  o.n_encoders = 2;
  PretrainNetwork net(std::make_shared<SwanEncoderImpl>(o), 5);
  EXPECT_EQ(count_parameters(*net), 455853);
}

TEST(ShiftAdd, MatchesDefinitionAndUnevenGroups) {
  // Width 308 with group 50: 6 groups of 50 and one of 8.
  const int64_t L = 37, D = 308, G = 50;
  auto h = at::randn({2, L, D});
  auto x = at::zeros({2, L, D});
  auto out = shift_add(x, h, G);
  auto acc = out.accessor<float, 3>();
  auto hacc = h.accessor<float, 3>();
  for (int64_t c = 0; c < D; ++c) {
    const int64_t g = c / G;
    ASSERT_LE(g, 6);
    const int64_t s = g == 0 ? 0 : (int64_t{1} << (g - 1));
    for (int64_t t = 0; t < L; ++t) {
      ASSERT_EQ(acc[1][t][c], hacc[1][(t + s) % L][c]) << "c=" << c << " t=" << t;
    }
  }
  EXPECT_TRUE(at::allclose(out, shift_add_reference(x, h, G)));
}

TEST(ShiftAdd, GradientsMatchReference) {
  auto x = at::randn({3, 20, 30}).requires_grad_(true);
  auto h = at::randn({3, 20, 30}).requires_grad_(true);
  auto w = at::randn({3, 20, 30});
  auto fast = (shift_add(x, h, 7) * w).sum();
  auto gx = torch::autograd::grad({fast}, {x, h});
  auto ref = (shift_add_reference(x, h, 7) * w).sum();
  auto rx = torch::autograd::grad({ref}, {x, h});
  EXPECT_TRUE(at::allclose(gx[0], rx[0]));
  EXPECT_TRUE(at::allclose(gx[1], rx[1]));
  // Non-float dtypes take the generic path and agree too.
  auto xd = x.detach().to(at::kDouble), hd = h.detach().to(at::kDouble);
  EXPECT_TRUE(at::allclose(shift_add(xd, hd, 7), shift_add_reference(xd, hd, 7)));
}

TEST(Swan, ZeroMlpMakesALayerTheIdentity) {
  SwanMixerLayer layer(24, 16, 8, 0.0);
  {
    torch::NoGradGuard no_grad;
    layer->fc2->weight.zero_();
    layer->fc2->bias.zero_();
  }
  auto x = at::randn({2, 11, 24});
  EXPECT_TRUE(at::equal(layer->forward(x), x));
}

TEST(Swan, GlobalMixingWithinOneEncoder) {
  // One encoder of ceil(log2 L) layers lets the first position see every other one.
  SwanOptions o;
  o.in_channels = 4;
  o.max_len = 16;
  o.group_size = 4;
  o.mlp_dim = 8;
  o.n_encoders = 1;
  SwanEncoder enc(o);
  auto x = at::zeros({1, 4, 16}).requires_grad_(true);
  auto y = enc->forward(x);
  auto g = torch::autograd::grad({y.select(1, 0).sum()}, {x})[0];
  for (int64_t t = 0; t < 16; ++t) EXPECT_GT(g.select(2, t).abs().sum().item<float>(), 0) << t;
}

TEST(Swan, EncoderFileRoundTrip) {
  auto description = nlohmann::json{{"name", "swan"},  {"alphabet", "acgtn"}, {"max_len", 40},
                                    {"group_size", 4}, {"mlp_dim", 12},       {"n_encoders", 2}};
  auto encoder = build_encoder(description);
  const auto path =
      (std::filesystem::temp_directory_path() / "helix_swan_roundtrip.safetensors").string();
  save_encoder(path, *encoder, "acgtn");
  auto loaded = load_encoder(path);
  EXPECT_EQ(loaded.alphabet, "acgtn");
  EXPECT_EQ(loaded.description["width"], encoder->output_dim());
  auto x = at::randn({2, 5, 40});
  torch::NoGradGuard no_grad;
  encoder->eval();
  EXPECT_TRUE(at::equal(encoder->forward(x), loaded.encoder->forward(x)));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace helix::nn
