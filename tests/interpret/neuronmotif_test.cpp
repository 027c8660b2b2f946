// Ground truth for NeuronMotif: the shifted-ZEB1 demo (method spec §8, demo1). A tiny CNN (3
// filters of width 5, max-pool 2, one neuron of width 2: receptive field 8) learns to tell 8-mers
// drawn from two 1-bp-shifted windows of the JASPAR ZEB1 matrix from 8-mers of real genomic
// sequence. NeuronMotif on its top neuron must enumerate all 4^8 sequences, demix the positives
// into two leaves by the layer-1 feature map, and recover each planted matrix (r > 0.95).
#include "helix/interpret/neuronmotif.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "../temp_dir.hpp"
#include "helix/interpret/annotate.hpp"
#include "helix/io/motif_file.hpp"

namespace helix::interpret {
namespace {

const std::string kShared = std::string(HELIX_SOURCE_DIR) + "/../shared/data";

Matrix window(const motif::Motif& m, size_t start, size_t length) {
  return Matrix(m.probabilities.begin() + int64_t(start),
                m.probabilities.begin() + int64_t(start + length));
}

std::vector<uint8_t> draw(const Matrix& ppm, std::mt19937_64& rng) {
  std::vector<uint8_t> out;
  for (const auto& row : ppm) {
    std::discrete_distribution<int> d(row.begin(), row.end());
    out.push_back(uint8_t(d(rng)));
  }
  return out;
}

// Windows of `length` bases of real sequence (GUE tf_0 training sequences: human
// TF-binding-site windows), starting every `step` bases of each sequence, A/C/G/T only.
std::vector<std::vector<uint8_t>> real_windows(size_t length, size_t step, size_t count) {
  std::ifstream in(kShared + "/gue/tf_0/train.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<uint8_t>> out;
  while (out.size() < count && std::getline(in, line)) {
    const auto sequence = line.substr(0, line.find(','));
    for (size_t start = 0; start + length <= sequence.size() && out.size() < count; start += step) {
      std::vector<uint8_t> window;
      for (size_t p = start; p < start + length; ++p) {
        const auto b = std::string("ACGT").find(sequence[p]);
        if (b == std::string::npos) break;
        window.push_back(uint8_t(b));
      }
      if (window.size() == length) out.push_back(window);
    }
  }
  return out;
}

// Trains the single neuron of the network's top layer (its pre-activation is the logit) with
// binary cross-entropy and Adam; returns the final training loss.
double train_top_neuron(nn::ConvNet& net, const at::Tensor& x, const at::Tensor& y, int epochs,
                        int64_t batch_size, double lr, uint64_t seed) {
  const int64_t n = x.size(0);
  const int64_t top = net->num_layers() - 1;
  torch::optim::Adam optimiser(net->parameters(), torch::optim::AdamOptions(lr));
  auto generator = at::detail::createCPUGenerator(seed);
  net->train();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    auto order = at::randperm(n, generator, at::kLong);
    for (int64_t start = 0; start < n; start += batch_size) {
      auto batch = order.slice(0, start, std::min(n, start + batch_size));
      auto logit = net->preactivation(x.index_select(0, batch), top).view({-1});
      auto loss =
          torch::nn::functional::binary_cross_entropy_with_logits(logit, y.index_select(0, batch));
      optimiser.zero_grad();
      loss.backward();
      optimiser.step();
    }
  }
  net->eval();
  torch::NoGradGuard no_grad;
  return torch::nn::functional::binary_cross_entropy_with_logits(
             net->preactivation(x, top).view({-1}), y)
      .item<double>();
}

// One training run; `loss` receives the final training loss.
nn::ConvNet train_demo1(const Matrix& truth0, const Matrix& truth1, uint64_t seed, double& loss) {
  std::mt19937_64 rng(11);
  std::vector<uint8_t> bases;
  std::vector<float> labels;
  for (int i = 0; i < 10000; ++i) {
    const auto kmer = draw(i % 2 ? truth1 : truth0, rng);
    bases.insert(bases.end(), kmer.begin(), kmer.end());
    labels.push_back(1);
  }
  auto background = real_windows(8, 13, 10000);
  std::shuffle(background.begin(), background.end(), rng);
  for (const auto& kmer : background) {
    bases.insert(bases.end(), kmer.begin(), kmer.end());
    labels.push_back(0);
  }
  const auto n = static_cast<int64_t>(labels.size());
  auto x = one_hot_bases(bases.data(), n, 8, c10::kCPU);
  auto y = at::tensor(labels, at::kFloat);
  nn::ConvNetOptions o;
  o.filters = {3, 1};
  o.kernels = {5, 2};
  o.pools = {2, 1};
  o.padding = "valid";
  o.batch_norm = false;
  at::manual_seed(seed);
  nn::ConvNet net(o);
  loss = train_top_neuron(net, x, y, 100, 200, 0.01, seed);
  return net;
}

TEST(NeuronMotif, ShiftedZeb1DemoRecoversBothPlantedMatrices) {
  const auto jaspar = kShared + "/motifs/JASPAR2022_CORE_vertebrates_nr.pfm";
  if (!std::filesystem::exists(jaspar) || !std::filesystem::exists(kShared + "/gue/tf_0")) {
    GTEST_SKIP() << "needs ../shared/data (JASPAR 2022 and GUE tf_0)";
  }
  motif::Motif zeb1;
  for (const auto& m : io::read_motifs(jaspar)) {
    if (m.id.rfind("MA0103.3", 0) == 0) zeb1 = m;
  }
  ASSERT_EQ(zeb1.length(), 11u);
  // Windows of the CACCTG core, one base apart (as demo1's PWM0 and PWM1).
  const auto truth0 = window(zeb1, 1, 8);
  const auto truth1 = window(zeb1, 2, 8);
  // A 3-filter network sometimes settles in a local minimum (CACATG for one shift, training
  // loss 0.043 instead of 0.033): keep the best of three seeds by training loss, as one would.
  nn::ConvNet net{nullptr};
  double best_loss = 1e9;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    double loss = 0;
    auto candidate = train_demo1(truth0, truth1, seed, loss);
    if (loss < best_loss) {
      best_loss = loss;
      net = candidate;
    }
  }

  test::TempDir dir;
  NeuronMotifOptions options;
  options.motif_nb = 1;
  const auto result = run_layer(net, 1, {0}, {}, options, dir.path().string());
  ASSERT_EQ(result.neurons.size(), 1u);
  const auto& neuron = result.neurons[0];
  EXPECT_EQ(neuron.method, "exhaustive");
  EXPECT_EQ(neuron.evaluated, 65536);
  EXPECT_GT(neuron.samples, 100);
  ASSERT_EQ(neuron.leaves.size(), 2u);
  const auto& a = neuron.leaves[0].ppm;
  const auto& b = neuron.leaves[1].ppm;
  // Each leaf matches a different planted window.
  const double straight = std::min(matrix_correlation(a, truth0), matrix_correlation(b, truth1));
  const double crossed = std::min(matrix_correlation(a, truth1), matrix_correlation(b, truth0));
  EXPECT_GT(std::max(straight, crossed), 0.95)
      << "leaf consensuses " << consensus_string(a) << " " << consensus_string(b) << "; r "
      << matrix_correlation(a, truth0) << " " << matrix_correlation(a, truth1) << " "
      << matrix_correlation(b, truth0) << " " << matrix_correlation(b, truth1);
  // Demixing is what recovers them: the PPM of all samples together matches neither as well.
  auto samples = load_samples((dir.path() / "samples" / "neuron_0.bin").string());
  std::vector<int64_t> all(size_t(samples.size()));
  std::iota(all.begin(), all.end(), 0);
  const auto mixed = weighted_ppm(samples, all, 50);
  EXPECT_LT(std::max(matrix_correlation(mixed, truth0), matrix_correlation(mixed, truth1)),
            std::max(straight, crossed));
  for (const auto& leaf : neuron.leaves) EXPECT_GT(leaf.quality(), 0.5);
  std::cerr << "ZEB1 demo: " << neuron.samples << " positive 8-mers of 65536; leaves "
            << consensus_string(a) << " (n " << neuron.leaves[0].n << ", C/M "
            << neuron.leaves[0].quality() << ") and " << consensus_string(b) << " (n "
            << neuron.leaves[1].n << ", C/M " << neuron.leaves[1].quality()
            << "); r with the planted windows " << std::max(straight, crossed)
            << " (worse of the two); undemixed r "
            << std::max(matrix_correlation(mixed, truth0), matrix_correlation(mixed, truth1))
            << "\n";
}

// The CTCF spacing-grammar demo (§8 demo2): positives carry one CTCF starting in [0, 16) and a
// second in [44, 60) (gaps 10..40 bp after the first's 19 columns); negatives carry one in
// [0, 16) or [46, 62) and the other in [17, 45) (closer or overlapping). A two-layer network
// (16 x 19 bp, max-pool 4, one neuron of width 16: receptive field 82) must learn the spacing;
// NeuronMotif on that neuron must show CTCF, a gap, CTCF, with gaps inside the planted range.
TEST(NeuronMotif, CtcfSpacingDemoGrammarIsCtcfGapCtcf) {
  const auto jaspar = kShared + "/motifs/JASPAR2022_CORE_vertebrates_nr.pfm";
  if (!std::filesystem::exists(jaspar) || !std::filesystem::exists(kShared + "/gue/tf_0")) {
    GTEST_SKIP() << "needs ../shared/data (JASPAR 2022 and GUE tf_0)";
  }
  const auto motifs = io::read_motifs(jaspar);
  motif::Motif ctcf;
  for (const auto& m : motifs) {
    if (m.id.rfind("MA0139.1", 0) == 0) ctcf = m;
  }
  ASSERT_EQ(ctcf.length(), 19u);
  std::mt19937_64 rng(21);
  auto windows = real_windows(82, 1000, 6000);  // one per sequence
  ASSERT_EQ(windows.size(), 6000u);
  auto plant = [&](std::vector<uint8_t>& w, int64_t start) {
    const auto site = draw(ctcf.probabilities, rng);
    std::copy(site.begin(), site.end(), w.begin() + start);
  };
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi - 1)(rng);
  };
  std::vector<uint8_t> bases;
  std::vector<float> labels;
  for (size_t i = 0; i < windows.size(); ++i) {
    auto& w = windows[i];
    const bool positive = i % 2 == 0;
    if (positive) {
      plant(w, uniform(0, 16));
      plant(w, uniform(44, 60));
    } else {
      plant(w, uniform(17, 45));
      plant(w, rng() % 2 ? uniform(0, 16) : uniform(46, 62));
    }
    bases.insert(bases.end(), w.begin(), w.end());
    labels.push_back(positive ? 1.0f : 0.0f);
  }
  const auto n = static_cast<int64_t>(labels.size());
  auto x = one_hot_bases(bases.data(), n, 82, c10::kCPU);
  auto y = at::tensor(labels, at::kFloat);
  nn::ConvNetOptions o;
  o.filters = {16, 1};
  o.kernels = {19, 16};
  o.pools = {4, 1};
  o.padding = "valid";
  at::manual_seed(3);
  nn::ConvNet net(o);
  train_top_neuron(net, x, y, 15, 100, 0.005, 3);
  {
    torch::NoGradGuard no_grad;
    auto predicted = net->preactivation(x, 1).view({-1}) > 0;
    const double accuracy = (predicted == (y > 0.5)).to(at::kFloat).mean().item<double>();
    ASSERT_GT(accuracy, 0.9) << "the network did not learn the spacing";
  }
  test::TempDir dir;
  NeuronMotifOptions options;
  options.sampler.max_samples = 20000;
  options.motif_nb = 2;  // as the demo (one pool of 4: 16 leaves)
  const auto result = run_layer(net, 1, {0}, {}, options, dir.path().string());
  ASSERT_EQ(result.neurons.size(), 1u);
  const auto& neuron = result.neurons[0];
  EXPECT_EQ(neuron.method, "genetic");
  motif::TomtomOptions tomtom;
  tomtom.min_overlap = 5;
  const motif::TomtomDatabase database(motifs, tomtom);
  const auto grammar = neuron_grammar(neuron, &database, GrammarOptions());
  std::string dump;
  for (const auto& d : grammar.dictionary) dump += d.label + "(" + std::to_string(d.leaves) + ") ";
  for (const auto& p : grammar.patterns) dump += "| " + p.tree + " x" + std::to_string(p.leaves);
  ASSERT_FALSE(grammar.dictionary.empty()) << dump;
  EXPECT_EQ(grammar.dictionary[0].label, "CTCF") << dump;
  ASSERT_FALSE(grammar.patterns.empty()) << dump;
  const auto& top = grammar.patterns[0];
  ASSERT_EQ(top.motifs, (std::vector<std::string>{"CTCF", "CTCF"})) << dump;
  // Gaps between the dictionary motifs (cores of c columns) fall in the planted 10..40 bp, widened
  // by the 19 - c columns trimming took off.
  const auto trimmed = 19 - static_cast<int64_t>(grammar.dictionary[0].motif.length());
  const auto& gap = top.gaps[0];
  const auto tilde = gap.find('~');
  const int64_t lo = std::stoll(gap.substr(0, tilde));
  const int64_t hi = tilde == std::string::npos ? lo : std::stoll(gap.substr(tilde + 1));
  EXPECT_GE(lo, 10 + trimmed - 2) << dump;
  EXPECT_LE(hi, 40 + trimmed + 2) << dump;
  // Earliest layers: the first layer (19-bp receptive fields) can hold one CTCF but not the
  // pair, which first occurs in layer 2.
  test::TempDir first_dir;
  const auto first = run_layer(net, 0, {}, {}, options, first_dir.path().string());
  auto annotated = grammar;
  annotate_earliest_layers(annotated, 1, {layer_segments(first, GrammarOptions().segments)},
                           GrammarOptions());
  const auto& nodes = annotated.patterns[0].nodes;
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[2].earliest_layer, 2) << nodes[2].text;
  std::cerr << "CTCF demo earliest layers: " << nodes[0].text << "=" << nodes[0].earliest_layer
            << ", " << nodes[1].text << "=" << nodes[1].earliest_layer << ", " << nodes[2].text
            << "=" << nodes[2].earliest_layer << "\n";
  std::cerr << "CTCF demo: " << neuron.samples << " samples, " << neuron.generations
            << " generations, motif_nb " << result.motif_nb << ", " << neuron.leaves.size()
            << " leaves; dictionary " << dump << "\n";
}

}  // namespace
}  // namespace helix::interpret
