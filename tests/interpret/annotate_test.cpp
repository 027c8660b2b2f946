#include "helix/interpret/annotate.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "helix/io/motif_file.hpp"

namespace helix::interpret {
namespace {

const std::string kJaspar =
    std::string(HELIX_SOURCE_DIR) + "/../shared/data/motifs/JASPAR2022_CORE_vertebrates_nr.pfm";

motif::Motif find_motif(const std::vector<motif::Motif>& all, const std::string& id) {
  for (const auto& m : all) {
    if (m.id.rfind(id, 0) == 0) return m;
  }
  ADD_FAILURE() << id << " not found";
  return {};
}

// A leaf whose PPM is uniform with the given motifs written in at the given starts.
Leaf leaf_with(int64_t length, const std::vector<std::pair<int64_t, const motif::Motif*>>& sites) {
  Leaf leaf;
  leaf.ppm.assign(size_t(length), {0.25, 0.25, 0.25, 0.25});
  for (const auto& [start, m] : sites) {
    for (size_t p = 0; p < m->length(); ++p) leaf.ppm[size_t(start) + p] = m->probabilities[p];
  }
  leaf.n = 5000;
  leaf.max_activation = 10;
  leaf.consensus_activation = 9.5;
  return leaf;
}

// GATA1's core may match another GATA factor of JASPAR best (GATA2, Gata4, ...).
bool is_gata(const std::string& label) {
  return label.rfind("GATA", 0) == 0 || label.rfind("Gata", 0) == 0;
}

TEST(Annotate, GrammarOfPlantedCtcfPairsShowsCtcfGapCtcfWithThePlantedRange) {
  if (!std::filesystem::exists(kJaspar)) GTEST_SKIP() << "needs ../shared/data/motifs";
  const auto jaspar = io::read_motifs(kJaspar);
  const auto ctcf = find_motif(jaspar, "MA0139.1");
  ASSERT_EQ(ctcf.length(), 19u);
  // Eight leaves of an 82-bp neuron, CTCF pairs with gaps 12, 15, ..., 33 bp.
  NeuronResult neuron;
  neuron.neuron = 3;
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t first = 2 + i, gap = 12 + 3 * i;
    neuron.leaves.push_back(leaf_with(82, {{first, &ctcf}, {first + 19 + gap, &ctcf}}));
  }
  motif::TomtomOptions tomtom;
  tomtom.min_overlap = 5;
  const motif::TomtomDatabase database(jaspar, tomtom);
  const auto grammar = neuron_grammar(neuron, &database, GrammarOptions());
  ASSERT_EQ(grammar.dictionary.size(), 1u);
  EXPECT_EQ(grammar.dictionary[0].label, "CTCF");
  ASSERT_TRUE(grammar.dictionary[0].hit.has_value());
  EXPECT_LT(grammar.dictionary[0].hit->q_value, 0.05);
  ASSERT_FALSE(grammar.patterns.empty());
  const auto& top = grammar.patterns[0];
  EXPECT_EQ(top.motifs, (std::vector<std::string>{"CTCF", "CTCF"}));
  EXPECT_EQ(top.leaves, 8);
  ASSERT_EQ(top.gaps.size(), 1u);
  // Gaps are measured between dictionary motifs, the informative cores of the segments: a core
  // of c columns inside the 19-column matrix widens each planted gap by 19 - c.
  const auto trimmed = 19 - static_cast<int64_t>(grammar.dictionary[0].motif.length());
  EXPECT_GE(trimmed, 0);
  const auto range = std::to_string(12 + trimmed) + "~" + std::to_string(33 + trimmed);
  EXPECT_EQ(top.gaps[0], range);
  EXPECT_EQ(top.tree, "(CTCF -[" + range + "]- CTCF)");
}

TEST(Annotate, TreeMergesTheNarrowestDistanceRangeFirst) {
  if (!std::filesystem::exists(kJaspar)) GTEST_SKIP() << "needs ../shared/data/motifs";
  const auto jaspar = io::read_motifs(kJaspar);
  const auto ctcf = find_motif(jaspar, "MA0139.1");
  const auto gata = find_motif(jaspar, "MA0035");  // GATA1
  NeuronResult neuron;
  // CTCF, then GATA1 at a fixed gap of 6 bp, then CTCF at a variable gap.
  for (int64_t i = 0; i < 6; ++i) {
    const int64_t gata_start = 2 + 19 + 6;
    const int64_t second = gata_start + int64_t(gata.length()) + 8 + 4 * i;
    neuron.leaves.push_back(leaf_with(100, {{2, &ctcf}, {gata_start, &gata}, {second, &ctcf}}));
  }
  motif::TomtomOptions tomtom;
  tomtom.min_overlap = 5;
  const motif::TomtomDatabase database(jaspar, tomtom);
  const auto grammar = neuron_grammar(neuron, &database, GrammarOptions());
  ASSERT_FALSE(grammar.patterns.empty());
  const auto& top = grammar.patterns[0];
  ASSERT_EQ(top.motifs.size(), 3u);
  EXPECT_EQ(top.motifs[0], "CTCF");
  EXPECT_EQ(top.motifs[2], "CTCF");
  // As above, gaps are between the dictionary motifs (cores): add what trimming took off.
  int64_t ctcf_core = 0, gata_core = 0;
  for (const auto& d : grammar.dictionary) {
    (d.label == "CTCF" ? ctcf_core : gata_core) = static_cast<int64_t>(d.motif.length());
  }
  const auto fixed = std::to_string(6 + 19 - ctcf_core);
  const auto variable = std::to_string(8 + int64_t(gata.length()) - gata_core) + "~" +
                        std::to_string(28 + int64_t(gata.length()) - gata_core);
  EXPECT_EQ(top.gaps[0], fixed);
  EXPECT_EQ(top.gaps[1], variable);
  // The fixed gap is the narrowest range, so it is merged first.
  EXPECT_EQ(top.tree, "((CTCF -[" + fixed + "]- " + top.motifs[1] + ") -[" + variable + "]- CTCF)");
}

// §5.3: the greedy dictionary keeps the motifs several leaves share and leaves out one seen in a
// single leaf; a motif the loop never needed (its leaves were explained by another) is promoted
// from the leftovers when it recurs in at least 30 % of the leaves.
TEST(Annotate, GreedyDictionaryKeepsSharedMotifsAndPromotesRecurringLeftovers) {
  if (!std::filesystem::exists(kJaspar)) GTEST_SKIP() << "needs ../shared/data/motifs";
  const auto jaspar = io::read_motifs(kJaspar);
  const auto ctcf = find_motif(jaspar, "MA0139.1");
  const auto gata = find_motif(jaspar, "MA0035");  // GATA1
  const auto rest = find_motif(jaspar, "MA0079");  // SP1, in one leaf only
  motif::TomtomOptions tomtom;
  tomtom.min_overlap = 5;
  const motif::TomtomDatabase database(jaspar, tomtom);
  {
    // Six leaves with CTCF, three with GATA1, one with SP1.
    NeuronResult neuron;
    for (int64_t i = 0; i < 6; ++i) neuron.leaves.push_back(leaf_with(60, {{5 + i, &ctcf}}));
    for (int64_t i = 0; i < 3; ++i) neuron.leaves.push_back(leaf_with(60, {{20 + i, &gata}}));
    neuron.leaves.push_back(leaf_with(60, {{30, &rest}}));
    const auto grammar = neuron_grammar(neuron, &database, GrammarOptions());
    ASSERT_EQ(grammar.dictionary.size(), 2u);
    EXPECT_EQ(grammar.dictionary[0].label, "CTCF");
    EXPECT_EQ(grammar.dictionary[0].leaves, 6);
    EXPECT_TRUE(is_gata(grammar.dictionary[1].label)) << grammar.dictionary[1].label;
    EXPECT_EQ(grammar.dictionary[1].leaves, 3);
    EXPECT_FALSE(grammar.dictionary[0].leftover);
    EXPECT_FALSE(grammar.dictionary[1].leftover);
  }
  {
    // GATA1 in all ten leaves (the strongest ones hold it alone, so the loop starts there and
    // GATA1 explains every leaf); CTCF in four of them, so it is a leftover, and promoted.
    NeuronResult neuron;
    for (int64_t i = 0; i < 6; ++i) neuron.leaves.push_back(leaf_with(70, {{3 + i, &gata}}));
    for (int64_t i = 0; i < 4; ++i) {
      neuron.leaves.push_back(leaf_with(70, {{3 + i, &gata}, {30 + i, &ctcf}}));
      neuron.leaves.back().max_activation = 2;  // weaker leaves (same C/M)
      neuron.leaves.back().consensus_activation = 1.9;
    }
    const auto grammar = neuron_grammar(neuron, &database, GrammarOptions());
    ASSERT_EQ(grammar.dictionary.size(), 2u);
    EXPECT_TRUE(is_gata(grammar.dictionary[0].label)) << grammar.dictionary[0].label;
    EXPECT_EQ(grammar.dictionary[0].leaves, 10);
    EXPECT_FALSE(grammar.dictionary[0].leftover);
    EXPECT_EQ(grammar.dictionary[1].label, "CTCF");
    EXPECT_EQ(grammar.dictionary[1].leaves, 4);
    EXPECT_TRUE(grammar.dictionary[1].leftover);
    // Recurring in fewer than 30 % of the leaves, it stays out.
    GrammarOptions strict;
    strict.leftover_share = 0.5;
    EXPECT_EQ(neuron_grammar(neuron, &database, strict).dictionary.size(), 1u);
  }
}

// §5.4 steps 2-3: shorter motif lists that are ordered parts of a longer one join it as a
// template with absent slots, aligned to the slots nearest the template's positions; gaps are
// measured over the leaves holding both motifs.
TEST(Annotate, ShorterListsJoinTheTemplateTheyArePartOf) {
  if (!std::filesystem::exists(kJaspar)) GTEST_SKIP() << "needs ../shared/data/motifs";
  const auto jaspar = io::read_motifs(kJaspar);
  const auto ctcf = find_motif(jaspar, "MA0139.1");
  const auto gata = find_motif(jaspar, "MA0035");
  const int64_t gata_start = 2 + 19 + 6, second = gata_start + int64_t(gata.length()) + 10;
  NeuronResult neuron;
  for (int64_t i = 0; i < 4; ++i) {  // the template: CTCF, GATA1, CTCF
    neuron.leaves.push_back(leaf_with(100, {{2, &ctcf}, {gata_start, &gata}, {second, &ctcf}}));
  }
  for (int64_t i = 0; i < 3; ++i) {  // GATA1 absent
    neuron.leaves.push_back(leaf_with(100, {{2, &ctcf}, {second + 1, &ctcf}}));
  }
  // The second CTCF alone: near the template's third slot, not its first.
  neuron.leaves.push_back(leaf_with(100, {{second, &ctcf}}));
  motif::TomtomOptions tomtom;
  tomtom.min_overlap = 5;
  const motif::TomtomDatabase database(jaspar, tomtom);
  const auto grammar = neuron_grammar(neuron, &database, GrammarOptions());
  ASSERT_EQ(grammar.patterns.size(), 1u);
  const auto& top = grammar.patterns[0];
  ASSERT_EQ(top.motifs.size(), 3u);
  EXPECT_EQ(top.motifs[0], "CTCF");
  EXPECT_TRUE(is_gata(top.motifs[1])) << top.motifs[1];
  EXPECT_EQ(top.motifs[2], "CTCF");
  EXPECT_EQ(top.leaves, 4);
  EXPECT_EQ(top.partial_leaves, 4);
  int64_t ctcf_core = 0, gata_core = 0;
  for (const auto& d : grammar.dictionary) {
    (d.label == "CTCF" ? ctcf_core : gata_core) = static_cast<int64_t>(d.motif.length());
  }
  // Only the four full leaves hold CTCF and GATA1 together: one fixed gap each side.
  EXPECT_EQ(top.gaps[0], std::to_string(6 + 19 - ctcf_core));
  EXPECT_EQ(top.gaps[1], std::to_string(10 + int64_t(gata.length()) - gata_core));
  // Nodes: three motifs, then two merges; the root spans all slots.
  ASSERT_EQ(top.nodes.size(), 5u);
  EXPECT_EQ(top.nodes.back().text, top.tree);
  EXPECT_EQ(top.nodes.back().first, 0u);
  EXPECT_EQ(top.nodes.back().last, 2u);
}

// §5.4 step 6: a node occurs in the lowest layer with a leaf whose segments hold all its motifs,
// counted with multiplicity.
TEST(Annotate, EarliestLayerNeedsEveryMotifOfTheNodeInOneLowerLeaf) {
  if (!std::filesystem::exists(kJaspar)) GTEST_SKIP() << "needs ../shared/data/motifs";
  const auto jaspar = io::read_motifs(kJaspar);
  const auto ctcf = find_motif(jaspar, "MA0139.1");
  NeuronResult neuron;
  for (int64_t i = 0; i < 4; ++i) {
    neuron.leaves.push_back(leaf_with(90, {{2 + i, &ctcf}, {2 + i + 19 + 20 + 2 * i, &ctcf}}));
  }
  const auto single = [&](int64_t layer) {  // a layer whose one leaf holds one CTCF
    LayerResult r;
    r.layer = layer;
    NeuronResult n;
    n.leaves.push_back(leaf_with(30, {{4, &ctcf}}));
    r.neurons.push_back(n);
    return r;
  };
  LayerResult pair = single(1);
  pair.neurons[0].leaves.push_back(leaf_with(70, {{1, &ctcf}, {40, &ctcf}}));
  const GrammarOptions o;
  auto grammar = neuron_grammar(neuron, nullptr, o);
  ASSERT_EQ(grammar.patterns.size(), 1u);
  ASSERT_EQ(grammar.patterns[0].nodes.size(), 3u);  // m1, m1, (m1 -[gap]- m1)
  annotate_earliest_layers(
      grammar, 2, {layer_segments(single(0), o.segments), layer_segments(pair, o.segments)}, o);
  const auto& nodes = grammar.patterns[0].nodes;
  EXPECT_EQ(nodes[0].earliest_layer, 1);
  EXPECT_EQ(nodes[1].earliest_layer, 1);
  EXPECT_EQ(nodes[2].earliest_layer, 2);  // two CTCFs in one leaf first in layer 2
  // With single sites only below, the pair first occurs in the neuron's own layer.
  annotate_earliest_layers(
      grammar, 2, {layer_segments(single(0), o.segments), layer_segments(single(1), o.segments)},
      o);
  EXPECT_EQ(grammar.patterns[0].nodes[0].earliest_layer, 1);
  EXPECT_EQ(grammar.patterns[0].nodes[2].earliest_layer, 3);
}

}  // namespace
}  // namespace helix::interpret
