#include "helix/nn/dilated_resnet.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <filesystem>

#include "helix/nn/encoder_file.hpp"
#include "helix/nn/pooling.hpp"
#include "helix/nn/registry.hpp"

namespace helix::nn {
namespace {

TEST(DilatedResNet, PublishedParameterCounts) {
  DilatedResNetOptions six;
  EXPECT_EQ(count_parameters(DilatedResNetImpl(six)), 787264);  // dilated_small, 6 tracks
  DilatedResNetOptions four;
  four.in_channels = 4;
  EXPECT_EQ(count_parameters(DilatedResNetImpl(four)), 787008);
}

TEST(DilatedResNet, OutputShapeIs32xDownsampled) {
  auto enc = build_encoder({{"name", "dilated_resnet"}, {"alphabet", "acgt"}});
  enc->eval();
  torch::NoGradGuard no_grad;
  for (int64_t L : {64, 100, 257}) {
    auto y = enc->forward(at::randn({2, 4, L}));
    EXPECT_EQ(y.size(0), 2);
    EXPECT_EQ(y.size(1), enc->output_length(L));
    EXPECT_EQ(y.size(1), (L + 31) / 32);
    EXPECT_EQ(y.size(2), 256);
  }
}

TEST(DilatedResNet, RoundTripIncludesBatchNormBuffers) {
  auto enc = build_encoder({{"name", "dilated_resnet"},
                            {"alphabet", "acgt"},
                            {"filters", {8, 16}},
                            {"blocks", {1, 1}},
                            {"dilations", {1, 2}}});
  enc->train();
  enc->forward(at::randn({4, 4, 50}));  // moves the running statistics away from their init
  const auto path = (std::filesystem::temp_directory_path() / "helix_resnet.safetensors").string();
  save_encoder(path, *enc, "acgt");
  auto loaded = load_encoder(path);
  enc->eval();
  torch::NoGradGuard no_grad;
  auto x = at::randn({2, 4, 50});
  EXPECT_TRUE(at::allclose(enc->forward(x), loaded.encoder->forward(x)));
  std::filesystem::remove(path);
}

TEST(Registry, UnknownEncoderIsAnError) {
  EXPECT_ANY_THROW(build_encoder({{"name", "transformer"}}));
}

TEST(Pooling, MaskedMeanIgnoresPadding) {
  auto f = at::arange(24, at::kFloat).reshape({2, 4, 3});
  auto pooled = masked_mean(f, at::tensor(std::vector<int64_t>{2, 4}, at::kLong));
  EXPECT_TRUE(at::allclose(pooled[0], f[0].narrow(0, 0, 2).mean(0)));
  EXPECT_TRUE(at::allclose(pooled[1], f[1].mean(0)));
  // Changing padded positions changes nothing.
  auto g = f.clone();
  g[0][3].fill_(1e6);
  EXPECT_TRUE(at::equal(masked_mean(g, at::tensor(std::vector<int64_t>{2, 4}, at::kLong)), pooled));
  EXPECT_TRUE(at::allclose(masked_mean(f, at::Tensor()), f.mean(1)));
}

}  // namespace
}  // namespace helix::nn
