#include "helix/interpret/sampler.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <cmath>
#include <numeric>

namespace helix::interpret {
namespace {

TEST(Sampler, PopulationSizeFollowsTheSpecification) {
  EXPECT_EQ(population_size(12), 2000);
  EXPECT_EQ(population_size(42), 2000);
  EXPECT_EQ(population_size(72), 3000);
  EXPECT_EQ(population_size(82), 4000);
  EXPECT_EQ(population_size(144), 5000);
  EXPECT_EQ(population_size(163), 5000);
}

TEST(Sampler, SelectionWeightIsContinuousAtZero) {
  EXPECT_DOUBLE_EQ(selection_weight(0.0), 1.0);
  EXPECT_NEAR(selection_weight(-1e-9), 1.0, 1e-8);
  EXPECT_DOUBLE_EQ(selection_weight(2.5), 3.5);
  EXPECT_DOUBLE_EQ(selection_weight(-2.0), std::exp(-2.0));
}

TEST(Sampler, EqualisationGivesEachOccupiedBinTheSameMass) {
  // Max 10: 20 bins of width 0.5. 10 is alone in the top bin; 0.2 and 0.3 share bin 0; the 18
  // empty bins between give their mass to the bin below (bin 0), so bin 0 holds 19/20.
  const auto p = equalised_probabilities({0.2, 0.3, 10.0, -1.0, 0.0});
  ASSERT_EQ(p.size(), 5u);
  EXPECT_NEAR(p[2], 1.0 / 20, 1e-12);
  EXPECT_NEAR(p[0], 19.0 / 20 * 0.4, 1e-12);
  EXPECT_NEAR(p[1], 19.0 / 20 * 0.6, 1e-12);
  EXPECT_EQ(p[3], 0.0);
  EXPECT_EQ(p[4], 0.0);
  const auto none = equalised_probabilities({-1.0, 0.0});
  EXPECT_EQ(std::accumulate(none.begin(), none.end(), 0.0), 0.0);
}

}  // namespace
}  // namespace helix::interpret

namespace helix::interpret {
namespace {

// A first-layer neuron is linear in the one-hot input, so its maximum is known exactly: the sum
// over positions of the best base's weight, plus the bias. The genetic algorithm must get there.
TEST(Sampler, GeneticAlgorithmReachesTheAnalyticMaximumOfAFirstLayerNeuron) {
  at::manual_seed(4);
  nn::ConvNetOptions o;
  o.filters = {4};
  o.kernels = {19};
  o.pools = {1};
  o.padding = "valid";
  nn::ConvNet net(o);
  {
    torch::NoGradGuard no_grad;
    net->train();
    net->forward(at::randn({16, 4, 40}));
    net->eval();
  }
  for (int64_t k = 0; k < 4; ++k) {
    NeuronScorer scorer(net, 0, k, c10::kCPU);
    const auto [weight, bias] = net->folded_conv(0);
    const double best =
        (std::get<0>(weight[k].max(0)).sum() + bias[k]).item<double>();  // best base per position
    SamplerOptions options;
    options.seed = 9 + uint64_t(k);
    const auto result = sample_neuron(scorer, options, {});
    EXPECT_EQ(result.method, "genetic");
    EXPECT_GT(result.samples.size(), 1000);
    EXPECT_NEAR(result.samples.max_activation(), best, 1e-3 * std::abs(best)) << "neuron " << k;
  }
}

}  // namespace
}  // namespace helix::interpret
