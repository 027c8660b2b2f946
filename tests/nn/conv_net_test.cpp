#include "helix/nn/conv_net.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <map>
#include <string>
#include <vector>

#include "helix/nn/module_tensors.hpp"
#include "helix/nn/registry.hpp"
#include "helix/nn/sequence_model.hpp"
#include "helix/util/error.hpp"

namespace helix::nn {
namespace {

ConvNetOptions small_options(const std::string& padding) {
  ConvNetOptions o;
  o.filters = {16, 16, 16};
  o.kernels = {5, 3, 4};
  o.pools = {2, 3, 1};
  o.padding = padding;
  return o;
}

// Moves the batch-norm running statistics away from their init, so eval mode is not trivial.
void warm_up(ConvNetImpl& net, int64_t length) {
  torch::NoGradGuard no_grad;
  net.train();
  net.forward(at::randn({8, net.in_channels(), length}));
  net.eval();
}

TEST(ConvNet, DefaultParameterCount) {
  // 4 -> 128 (k7), 128 -> 128 (k3), 128 -> 160 (k3), 160 -> 160 (k3); no conv bias with batch
  // norm, whose weight and bias add 2 per filter.
  const int64_t expected = (4 * 128 * 7 + 2 * 128) + (128 * 128 * 3 + 2 * 128) +
                           (128 * 160 * 3 + 2 * 160) + (160 * 160 * 3 + 2 * 160);
  EXPECT_EQ(expected, 192128);
  EXPECT_EQ(count_parameters(ConvNetImpl(ConvNetOptions())), expected);
}

TEST(ConvNet, SmallConfigParameterCountByHand) {
  ConvNetOptions o;
  o.in_channels = 4;
  o.filters = {3, 5};
  o.kernels = {2, 3};
  o.pools = {1, 2};
  // With batch norm: conv weights 4*3*2 + 3*5*3 = 69, BN weight+bias 2*3 + 2*5 = 16.
  EXPECT_EQ(count_parameters(ConvNetImpl(o)), 85);
  // Without: the convs get biases (3 + 5) instead.
  o.batch_norm = false;
  EXPECT_EQ(count_parameters(ConvNetImpl(o)), 77);
  ConvNetImpl net(o);
  EXPECT_EQ(net.named_buffers().size(), 0u);
}

TEST(ConvNet, OutputLengthMatchesForward) {
  torch::NoGradGuard no_grad;
  std::vector<ConvNetOptions> configs = {ConvNetOptions(), small_options("same"),
                                         small_options("valid")};
  ConvNetOptions valid_default;
  valid_default.padding = "valid";
  configs.push_back(valid_default);
  ConvNetOptions even;  // even kernels, pool 3 and 4
  even.filters = {6, 7, 8};
  even.kernels = {8, 4, 2};
  even.pools = {3, 4, 1};
  configs.push_back(even);
  even.padding = "valid";
  configs.push_back(even);
  for (const auto& o : configs) {
    ConvNetImpl net(o);
    net.eval();
    for (int64_t L : {40, 41, 64, 97, 100, 257}) {
      SCOPED_TRACE(o.to_json().dump() + " L=" + std::to_string(L));
      auto y = net.forward(at::randn({2, o.in_channels, L}));
      ASSERT_EQ(y.dim(), 3);
      EXPECT_EQ(y.size(0), 2);
      EXPECT_EQ(y.size(1), net.output_length(L));
      EXPECT_EQ(y.size(2), o.filters.back());
      EXPECT_EQ(net.output_dim(), o.filters.back());
    }
  }
}

TEST(ConvNet, OutputLengthByHand) {
  ConvNetOptions o;                                  // kernels {7, 3, 3, 3}, pools {1, 2, 1, 2}
  EXPECT_EQ(ConvNetImpl(o).output_length(100), 25);  // same: 100 -> 100 -> 50 -> 50 -> 25
  EXPECT_EQ(ConvNetImpl(o).output_length(103), 25);  // floor pooling: 103 -> 51 -> 25
  o.padding = "valid";
  ConvNetImpl valid(o);
  EXPECT_EQ(valid.output_length(100), 21);  // 94 -> 92 -> 46 -> 44 -> 42 -> 21
  EXPECT_EQ(valid.output_length(20), 1);    // 14 -> 12 -> 6 -> 4 -> 2 -> 1
  EXPECT_EQ(valid.output_length(19), 0);    // 13 -> 11 -> 5 -> 3 -> 1 -> 0
  EXPECT_EQ(valid.output_length(6), 0);
  torch::NoGradGuard no_grad;
  valid.eval();
  EXPECT_EQ(valid.forward(at::randn({1, 4, 100})).size(1), 21);
  EXPECT_EQ(valid.forward(at::randn({1, 4, 20})).size(1), 1);
  EXPECT_ANY_THROW(valid.forward(at::randn({1, 4, 19})));  // no output positions
}

TEST(ConvNet, SamePaddingKeepsLengthForEvenKernels) {
  ConvNetOptions o;
  o.filters = {4, 4};
  o.kernels = {8, 2};
  o.pools = {1, 1};
  ConvNetImpl net(o);
  net.eval();
  torch::NoGradGuard no_grad;
  for (int64_t L : {1, 9, 50}) {
    EXPECT_EQ(net.output_length(L), L);
    EXPECT_EQ(net.forward(at::randn({1, 4, L})).size(1), L);
  }
}

TEST(ConvNet, ReceptiveFieldsMatchNeuronMotif) {
  auto rfs = [](std::vector<int64_t> kernels, std::vector<int64_t> pools) {
    ConvNetOptions o;
    o.filters.assign(kernels.size(), 2);
    o.kernels = std::move(kernels);
    o.pools = std::move(pools);
    ConvNetImpl net(o);
    std::vector<int64_t> out;
    for (int64_t l = 0; l < net.num_layers(); ++l) out.push_back(net.receptive_field(l));
    return out;
  };
  EXPECT_EQ(rfs({7, 3, 3, 3, 3, 3, 3, 3, 3, 3}, {1, 2, 1, 2, 1, 2, 1, 2, 1, 2}),
            (std::vector<int64_t>{7, 9, 14, 18, 28, 36, 56, 72, 112, 144}));
  EXPECT_EQ(rfs({19, 11, 7}, {3, 4, 4}), (std::vector<int64_t>{19, 51, 132}));
  EXPECT_EQ(rfs({8, 8, 8}, {4, 4, 1}), (std::vector<int64_t>{8, 39, 163}));
}

TEST(ConvNet, PreactivationIsBeforeReluAndFeedsForward) {
  auto o = small_options("same");
  o.pools = {2, 3, 2};
  ConvNetImpl net(o);
  warm_up(net, 90);
  torch::NoGradGuard no_grad;
  auto x = at::randn({3, 4, 90});
  const std::vector<int64_t> lengths = {90, 45, 15};
  for (int64_t l = 0; l < net.num_layers(); ++l) {
    auto pre = net.preactivation(x, l);
    EXPECT_EQ(pre.sizes(), (std::vector<int64_t>{3, o.filters[l], lengths[l]}));
    EXPECT_LT(pre.min().item<float>(), 0.0f);  // before the ReLU
  }
  // ReLU + pool of the last preactivation is the encoder output.
  auto last = at::max_pool1d(at::relu(net.preactivation(x, 2)), {2}, {2});
  EXPECT_TRUE(at::allclose(last.transpose(1, 2), net.forward(x)));
  EXPECT_THROW(net.preactivation(x, 3), UsageError);
  EXPECT_THROW(net.preactivation(x, -1), UsageError);
  EXPECT_THROW(net.receptive_field(3), UsageError);
}

TEST(ConvNet, FoldedConvAndPreactivationsAgreeWithPreactivation) {
  auto o = small_options("valid");
  ConvNetImpl net(o);
  warm_up(net, 60);
  torch::NoGradGuard no_grad;
  auto x = at::randn({2, 4, 60});
  const auto all = net.preactivations(x, 2);
  ASSERT_EQ(all.size(), 3u);
  for (int64_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(at::allclose(all[static_cast<size_t>(l)], net.preactivation(x, l), 1e-5, 1e-5));
    const auto [weight, bias] = net.folded_conv(l);
    auto folded = at::conv1d(net.below(x, l), weight, bias);
    EXPECT_TRUE(at::allclose(folded, net.preactivation(x, l), 1e-4, 1e-4)) << l;
  }
}

TEST(ConvNet, ReceptiveFieldIsExactWithValidPadding) {
  at::manual_seed(7);
  ConvNetOptions o;
  o.filters = {24, 24, 24, 24};
  o.kernels = {5, 3, 4, 3};
  o.pools = {2, 3, 1, 2};
  o.padding = "valid";
  ConvNetImpl net(o);
  warm_up(net, 200);
  torch::NoGradGuard no_grad;
  const int64_t L = 200;
  auto x = at::randn({1, 4, L});
  auto changed = [](const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<float>() > 1e-5f;
  };
  for (int64_t l = 0; l < net.num_layers(); ++l) {
    const int64_t rf = net.receptive_field(l);
    SCOPED_TRACE("layer " + std::to_string(l) + " rf " + std::to_string(rf));
    ASSERT_LT(rf, L);
    auto base = net.preactivation(x, l).select(2, 0);
    auto perturbed = [&](int64_t position) {
      auto y = x.clone();
      y.select(2, position).add_(at::randn({1, 4}) * 5);
      return net.preactivation(y, l).select(2, 0);
    };
    // Outside the window [0, rf): no effect at all.
    for (int64_t p : {rf, rf + 1, L - 1}) EXPECT_TRUE(at::equal(perturbed(p), base)) << p;
    // Its first and last positions do have an effect.
    EXPECT_TRUE(changed(perturbed(0), base));
    EXPECT_TRUE(changed(perturbed(rf - 1), base));
  }
}

TEST(ConvNet, DenseLayersParameterCountByHand) {
  ConvNetOptions o;
  o.filters = {3, 5};
  o.kernels = {2, 3};
  o.pools = {1, 2};
  o.padding = "valid";
  o.dense = {7, 6};
  o.input_length = 11;
  // Trunk: 11 -> 10 (k2) -> 8 (k3) -> 4 (pool 2): 5 channels x 4 = 20 flattened features.
  // Dense: 20 * 7 + 7 and 7 * 6 + 6; the convs and norms as in SmallConfigParameterCountByHand.
  ConvNetImpl net(o);
  EXPECT_EQ(count_parameters(net), 85 + (20 * 7 + 7) + (7 * 6 + 6));
  EXPECT_EQ(net.output_dim(), 6);
  EXPECT_EQ(net.output_length(11), 1);
  EXPECT_EQ(net.output_length(5), 1);
  EXPECT_EQ(net.output_length(12), 0);
}

TEST(ConvNet, DenseLayersPadShortInputsWithNAndRejectLongOnes) {
  at::manual_seed(3);
  ConvNetOptions o;
  o.filters = {8, 8};
  o.kernels = {5, 3};
  o.pools = {2, 1};
  o.padding = "valid";
  o.dense = {4};
  o.input_length = 30;
  ConvNetImpl net(o);
  warm_up(net, 30);
  torch::NoGradGuard no_grad;
  auto x = at::randn({2, 4, 24});
  auto out = net.forward(x);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 1, 4}));
  auto padded = at::cat({x, at::zeros({2, 4, 6})}, 2);
  EXPECT_TRUE(at::allclose(out, net.forward(padded)));
  EXPECT_THROW(net.forward(at::randn({1, 4, 31})), c10::Error);
  o.input_length = 0;
  EXPECT_THROW(ConvNetImpl{o}, UsageError);  // dense layers need a length
  o.input_length = 6;                        // 6 -> 2 -> 1 -> nothing left for k3
  EXPECT_THROW(ConvNetImpl{o}, UsageError);
}

TEST(ConvNet, BassetAndDeepSeaPresetsHaveThePublishedReceptiveFields) {
  const std::string dir = std::string(HELIX_SOURCE_DIR) + "/configs/";
  const std::vector<std::pair<std::string, std::vector<int64_t>>> presets = {
      {"basset-like.yaml", {19, 51, 132}},
      {"deepsea-like.yaml", {8, 39, 163}},
      {"cnn-neuronmotif-gue.yaml", {11, 24, 42}}};
  for (const auto& [file, expected] : presets) {
    SCOPED_TRACE(file);
    auto description = read_model_description(dir + file);
    ConvNetImpl net(ConvNetOptions::from_json(description));
    std::vector<int64_t> rfs;
    for (int64_t l = 0; l < net.num_layers(); ++l) rfs.push_back(net.receptive_field(l));
    EXPECT_EQ(rfs, expected);
    const int64_t length = description["input_length"].get<int64_t>();
    EXPECT_EQ(net.output_length(length), 1);
    EXPECT_GT(net.trunk_output_length(length), 0);
  }
}

TEST(ConvNet, RegistryRoundTripGivesIdenticalOutputs) {
  auto enc = build_encoder({{"name", "conv_net"},
                            {"alphabet", "acgt"},
                            {"filters", {8, 12, 16}},
                            {"kernels", {9, 5, 3}},
                            {"pools", {2, 2, 4}},
                            {"padding", "valid"},
                            {"dropout", 0.2}});
  EXPECT_EQ(enc->in_channels(), 4);
  EXPECT_EQ(enc->output_dim(), 16);
  const auto config = enc->config();
  EXPECT_EQ(config["name"], "conv_net");
  EXPECT_EQ(config["padding"], "valid");
  EXPECT_EQ(config["pools"], nlohmann::json({2, 2, 4}));
  EXPECT_DOUBLE_EQ(config["dropout"].get<double>(), 0.2);
  EXPECT_EQ(ConvNetOptions::from_json(config).to_json(), config);

  {
    torch::NoGradGuard no_grad;
    enc->train();
    enc->forward(at::randn({4, 4, 120}));  // moves the running statistics away from their init
  }
  for (const auto& description : {config, describe_encoder(*enc, "acgt")}) {
    auto copy = build_encoder(description);
    EXPECT_EQ(copy->config(), config);
    std::map<std::string, at::Tensor> stored;
    for (const auto& [name, tensor] : module_tensors(*enc)) stored[name] = tensor;
    EXPECT_EQ(stored.size(), 3u + 3u * 5);  // conv weights; BN weight, bias, mean, var, count
    load_module_tensors(stored, "", *copy,
                        [](const std::string& m) { throw std::runtime_error(m); });
    enc->eval();
    copy->eval();
    torch::NoGradGuard no_grad;
    auto x = at::randn({2, 4, 120});
    EXPECT_TRUE(at::equal(enc->forward(x), copy->forward(x)));
  }
}

TEST(ConvNet, MissingKeysTakeDefaults) {
  const auto o = ConvNetOptions::from_json(nlohmann::json::object());
  EXPECT_EQ(o.to_json(), ConvNetOptions().to_json());
  auto enc = build_encoder({{"name", "conv_net"}});
  EXPECT_EQ(enc->in_channels(), 4);
  EXPECT_EQ(enc->output_dim(), 160);
  EXPECT_EQ(enc->output_length(1000), 250);
  auto five = build_encoder({{"name", "conv_net"}, {"alphabet", "acgtn"}, {"batch_norm", false}});
  EXPECT_EQ(five->in_channels(), 5);
  EXPECT_EQ(five->config()["batch_norm"], false);
}

TEST(ConvNet, DropoutOnlyInTraining) {
  auto o = small_options("same");
  o.dropout = 0.5;
  ConvNetImpl net(o);
  torch::NoGradGuard no_grad;
  auto x = at::randn({2, 4, 60});
  net.train();
  EXPECT_FALSE(at::equal(net.forward(x), net.forward(x)));
  net.eval();
  EXPECT_TRUE(at::equal(net.forward(x), net.forward(x)));
}

TEST(ConvNet, BadOptionsAreUsageErrors) {
  const nlohmann::json base = {{"name", "conv_net"}, {"alphabet", "acgt"}};
  auto with = [&](const std::string& key, const nlohmann::json& value) {
    auto j = base;
    j[key] = value;
    return j;
  };
  const std::vector<nlohmann::json> bad = {
      with("filters", {8, 8}),                   // lengths differ from kernels / pools
      with("kernels", {3, 3, 3}),                //
      with("pools", {1, 2, 1, 2, 1}),            //
      with("filters", nlohmann::json::array()),  // empty
      with("kernels", {7, 0, 3, 3}),             // non-positive
      with("pools", {1, -2, 1, 2}),              //
      with("filters", {128, 0, 160, 160}),       //
      with("padding", "causal"),                 // unknown padding
      with("dropout", 1.0),                      // out of range
      with("filters", "wide"),                   // wrong type
      with("batch_norm", "yes"),                 //
      with("kernel_size", 3),                    // unknown key
  };
  for (const auto& j : bad) {
    SCOPED_TRACE(j.dump());
    EXPECT_THROW(build_encoder(j), UsageError);
  }
  try {
    ConvNetOptions::from_json({{"kernel", {3}}});
    FAIL() << "unknown key accepted";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'kernel'"), std::string::npos) << what;
    EXPECT_NE(what.find("kernels, pools, padding, batch_norm, dropout"), std::string::npos) << what;
  }
  try {
    ConvNetOptions::from_json({{"filters", {8}}, {"kernels", {3, 3}}, {"pools", {1}}});
    FAIL() << "mismatched lengths accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("same non-zero length"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace helix::nn
