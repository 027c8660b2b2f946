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

}  // namespace
}  // namespace helix::interpret
