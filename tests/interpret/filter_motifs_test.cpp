// The first-layer filter motif baseline: a filter whose weights are the log-odds of a known PWM,
// scanned over random sequences with that PWM planted in half of them, must give back the PWM
// from its top-activating windows; windows with N are never scored; a filter that cannot fire is
// dead; cutting long sequences into batches changes nothing.
#include "helix/interpret/filter_motifs.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <cctype>
#include <cmath>
#include <random>

#include "helix/interpret/ppm.hpp"
#include "helix/util/error.hpp"

namespace helix::interpret {
namespace {

// A hand-written 6-column PWM (rows A, C, G, T): consensus TGAC[AG]C.
const Matrix kPlanted = {{0.10, 0.10, 0.10, 0.70}, {0.05, 0.05, 0.85, 0.05},
                         {0.80, 0.10, 0.05, 0.05}, {0.10, 0.70, 0.10, 0.10},
                         {0.45, 0.05, 0.45, 0.05}, {0.05, 0.85, 0.05, 0.05}};

// Three filters of width 6: filter 0 = log-odds of kPlanted, filter 1 = constant 1 (every window
// fires equally), filter 2 = all-negative weights and bias (dead).
nn::ConvNet planted_net(bool batch_norm, const std::string& padding) {
  nn::ConvNetOptions o;
  o.filters = {3};
  o.kernels = {6};
  o.pools = {1};
  o.padding = padding;
  o.batch_norm = batch_norm;
  nn::ConvNet net(o);
  net->eval();
  torch::NoGradGuard no_grad;
  auto params = net->named_parameters();
  auto weight = params["convs.0.weight"];  // [3, 4, 6]
  weight.zero_();
  for (int64_t j = 0; j < 6; ++j) {
    for (int64_t c = 0; c < 4; ++c) {
      weight[0][c][j] = std::log2(kPlanted[size_t(j)][size_t(c)] / 0.25);
    }
  }
  weight[2].fill_(-1.0);
  // Without batch norm the conv has the bias; with it (default running statistics: mean 0,
  // variance 1) the batch norm's shift plays that role.
  auto bias = batch_norm ? params["norms.0.bias"] : params["convs.0.bias"];
  bias[0] = 0.0;
  bias[1] = 1.0;
  bias[2] = -1.0;
  return net;
}

std::string random_dna(std::mt19937& rng, size_t length) {
  static const char kBases[] = "ACGT";
  std::uniform_int_distribution<int> base(0, 3);
  std::string s(length, 'A');
  for (auto& c : s) c = kBases[base(rng)];
  return s;
}

// 400 random 60-bp sequences; in every other one a draw from kPlanted at a random position.
std::vector<std::string> planted_sequences(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < 400; ++i) {
    auto s = random_dna(rng, 60);
    if (i % 2 == 0) {
      const auto at = std::uniform_int_distribution<size_t>(0, 60 - 6)(rng);
      for (size_t j = 0; j < 6; ++j) {
        std::discrete_distribution<int> d(kPlanted[j].begin(), kPlanted[j].end());
        s[at + j] = "ACGT"[d(rng)];
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

double pearson(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < 4; ++i) ma += a[i] / 4, mb += b[i] / 4;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < 4; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(FilterMotifs, RecoversThePlantedPwmFromTopActivatingWindows) {
  // Batch norm folded in, and 'same' padding that must not matter (valid windows only).
  auto net = planted_net(/*batch_norm=*/true, "same");
  const auto sequences = planted_sequences(7);
  const auto result = filter_motifs(*net, sequences);
  EXPECT_EQ(result.kernel, 6);
  EXPECT_EQ(result.sequences, 400);
  EXPECT_EQ(result.windows, 400 * (60 - 6 + 1));
  EXPECT_EQ(result.skipped_windows, 0);
  ASSERT_EQ(result.filters.size(), 3u);
  const auto& f = result.filters[0];
  EXPECT_FALSE(f.dead);
  EXPECT_EQ(f.motif.id, "f0");
  ASSERT_EQ(f.motif.length(), 6u);
  EXPECT_EQ(f.motif.sites, double(f.sites));
  EXPECT_GT(f.sites, 100);  // most of the 200 planted sites, and some background
  EXPECT_LT(f.sites, 1000);
  // The best window is the consensus: the sum of each column's largest log-odds (BN-scaled).
  double best = 0;
  for (const auto& row : kPlanted)
    best += std::log2(*std::max_element(row.begin(), row.end()) / 0.25);
  EXPECT_NEAR(f.max_activation, best / std::sqrt(1 + 1e-5), 1e-4);
  EXPECT_DOUBLE_EQ(f.threshold, 0.5 * f.max_activation);
  double worst = 1;
  for (size_t j = 0; j < 6; ++j)
    worst = std::min(worst, pearson(f.motif.probabilities[j], kPlanted[j]));
  EXPECT_GT(worst, 0.9) << consensus_string(f.motif.probabilities);
  EXPECT_GT(matrix_correlation(f.motif.probabilities, kPlanted), 0.9);
  EXPECT_EQ(consensus_string(f.motif.probabilities).substr(0, 4), "TGAC");
  EXPECT_EQ(consensus_string(f.motif.probabilities)[5], 'C');
  EXPECT_GT(f.mean_ic, 0.5);
  EXPECT_LT(f.mean_ic, 2.0);
  // Filter 2 (all-negative weights, negative bias) never fires.
  EXPECT_TRUE(result.filters[2].dead);
  EXPECT_EQ(result.filters[2].sites, 0);
  EXPECT_EQ(result.filters[2].max_activation, 0.0);
  EXPECT_EQ(result.filters[2].motif.length(), 0u);
  EXPECT_EQ(result.dead_filters(), 1);
}

TEST(FilterMotifs, WindowsHoldingNAreSkippedAndShortSequencesAddNone) {
  auto net = planted_net(/*batch_norm=*/false, "valid");
  std::mt19937 rng(3);
  auto with_n = random_dna(rng, 20);
  with_n[10] = 'N';  // windows starting at 5..10 hold it
  auto lower = random_dna(rng, 8);
  lower[0] = 'a';  // lowercase is a base
  lower[7] = 'R';  // an IUPAC code is not: 2 of its 3 windows remain
  const std::vector<std::string> sequences = {with_n, "ACG", lower};
  const auto result = filter_motifs(*net, sequences);
  EXPECT_EQ(result.windows, (15 - 6) + 0 + 2);
  EXPECT_EQ(result.skipped_windows, 6 + 1);
  // Filter 1 is 1 on every window, so all scored windows are its sites, and its PWM is the base
  // composition of those windows only (pseudo-count 0.5 per base).
  const auto& constant = result.filters[1];
  EXPECT_DOUBLE_EQ(constant.max_activation, 1.0);
  EXPECT_EQ(constant.sites, result.windows);
  // Column 0 holds the first base of each window: with_n[0..4], with_n[11..14], lower[0..1].
  std::array<double, 4> first{0.5, 0.5, 0.5, 0.5};
  const auto count = [&](char c) { first[std::string("ACGT").find(char(std::toupper(c)))] += 1; };
  for (int i = 0; i < 5; ++i) count(with_n[size_t(i)]);
  for (int i = 11; i < 15; ++i) count(with_n[size_t(i)]);
  count(lower[0]);
  count(lower[1]);
  for (size_t b = 0; b < 4; ++b) {
    EXPECT_NEAR(constant.motif.probabilities[0][b], first[b] / (11 + 2), 1e-12) << b;
  }
}

TEST(FilterMotifs, LongSequencesCutIntoPiecesGiveTheSameResult) {
  auto net = planted_net(/*batch_norm=*/false, "valid");
  std::mt19937 rng(5);
  std::vector<std::string> sequences = planted_sequences(11);
  sequences.resize(40);
  sequences.push_back(random_dna(rng, 1000));
  sequences.back()[500] = 'N';
  const auto whole = filter_motifs(*net, sequences);
  FilterMotifOptions small;
  small.batch_positions = 16;  // many batches, the long sequence in pieces of 16 bases
  const auto cut = filter_motifs(*net, sequences, small);
  EXPECT_EQ(cut.windows, whole.windows);
  EXPECT_EQ(cut.skipped_windows, whole.skipped_windows);
  for (size_t f = 0; f < 3; ++f) {
    EXPECT_EQ(cut.filters[f].sites, whole.filters[f].sites) << f;
    // Other batch shapes may sum the convolution in another order.
    EXPECT_NEAR(cut.filters[f].max_activation, whole.filters[f].max_activation, 1e-5) << f;
    for (size_t j = 0; j < whole.filters[f].motif.length(); ++j) {
      for (size_t b = 0; b < 4; ++b) {
        EXPECT_EQ(cut.filters[f].motif.probabilities[j][b],
                  whole.filters[f].motif.probabilities[j][b]);
      }
    }
  }
}

TEST(FilterMotifs, ThresholdAndPseudocountOptions) {
  auto net = planted_net(/*batch_norm=*/false, "valid");
  const auto sequences = planted_sequences(13);
  FilterMotifOptions strict;
  strict.threshold_fraction = 0.9;
  strict.pseudocount = 0;
  const auto a = filter_motifs(*net, sequences);
  const auto b = filter_motifs(*net, sequences, strict);
  EXPECT_LT(b.filters[0].sites, a.filters[0].sites);
  EXPECT_GT(b.filters[0].mean_ic, a.filters[0].mean_ic);
  FilterMotifOptions bad;
  bad.threshold_fraction = 1.0;
  EXPECT_THROW(filter_motifs(*net, sequences, bad), UsageError);
  bad = {};
  bad.pseudocount = -1;
  EXPECT_THROW(filter_motifs(*net, sequences, bad), UsageError);
  bad = {};
  bad.alphabet = "acgtn";  // 5 channels, the net has 4
  EXPECT_THROW(filter_motifs(*net, sequences, bad), UsageError);
}

}  // namespace
}  // namespace helix::interpret
