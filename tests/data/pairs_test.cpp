#include "helix/data/pairs.hpp"

#include <gtest/gtest.h>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

RnaRecord transcript(const std::string& id, const std::string& gene, int64_t length = 50) {
  RnaRecord r;
  r.id = id;
  r.group = gene;
  r.sequence = std::string(length, 'A');
  r.exon_lengths = {length};
  return r;
}

// g1: t1, t2, t3 (isoforms); g2: t4 alone; g3: t5 alone but homologous to g1.
PairCorpus small_corpus() {
  PairCorpus c;
  c.add_transcripts({transcript("t1", "g1"), transcript("t2", "g1"), transcript("t3", "g1"),
                     transcript("t4", "g2"), transcript("t5", "g3")},
                    {{"g1", "H1"}, {"g3", "H1"}});
  c.add_ortholog_group(transcript("h", "blk"), {transcript("p", "blk"), transcript("q", "blk")});
  return c;
}

TEST(Pairs, CorpusLinksIsoformsHomologsAndOrthologs) {
  const auto c = small_corpus();
  ASSERT_EQ(c.num_anchors(), 6);
  EXPECT_EQ(c.records.size(), 8u);
  EXPECT_EQ(c.isoforms[0], (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(c.orthologs[0], (std::vector<int64_t>{4}));  // t5, via homology group H1
  EXPECT_TRUE(c.isoforms[3].empty() && c.orthologs[3].empty());
  EXPECT_EQ(c.orthologs[4], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(c.orthologs[5], (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(c.summary(),
            "6 anchors (3 with isoforms, 5 with orthologs, 1 paired with themselves), 8 sequences");
}

// Acceptance check 7 (docs/methods/isoclr.md).
TEST(Pairs, SamplerSelfPairsNeverTheAnchorAndOrthologShare) {
  const auto c = small_corpus();
  std::mt19937_64 rng(1);
  const auto lone = draw_pair(c, 3, -1, rng);
  EXPECT_EQ(lone.partner, lone.anchor);
  EXPECT_EQ(lone.type, PairType::kSelf);
  int64_t ortho = 0;
  const int64_t draws = 100000;
  for (int64_t i = 0; i < draws; ++i) {
    const auto d = draw_pair(c, 0, 0.5, rng);
    EXPECT_NE(d.partner, d.anchor);
    ortho += d.type == PairType::kOrtho;
    if (d.type == PairType::kOrtho) {
      EXPECT_EQ(d.partner, 4);
    }
  }
  EXPECT_NEAR(static_cast<double>(ortho) / draws, 0.5, 0.01);
  // Uniform over the union (published code): 1 ortholog among 3 partners.
  ortho = 0;
  for (int64_t i = 0; i < draws; ++i) ortho += draw_pair(c, 0, -1, rng).type == PairType::kOrtho;
  EXPECT_NEAR(static_cast<double>(ortho) / draws, 1.0 / 3, 0.01);
  // Only one kind present: always that kind, whatever p_ortho says.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(draw_pair(c, 5, 0.0, rng).type, PairType::kOrtho);
}

TEST(Pairs, BucketsHoldOutWholeGroupsOfTheShortBucket) {
  PairCorpus c;
  std::vector<RnaRecord> records;
  for (int g = 0; g < 100; ++g) {
    for (int t = 0; t < 2; ++t) {
      records.push_back(transcript("t" + std::to_string(g) + "_" + std::to_string(t),
                                   "g" + std::to_string(g), g < 25 ? 5000 : 100));
    }
  }
  c.add_transcripts(records);
  const auto b = bucket_anchors(c, 3900, 0.05, 7);
  EXPECT_EQ(b.long_train.size(), 50u);
  EXPECT_EQ(b.validation.size(), 8u);  // ceil(5 % of 150), in whole genes of 2
  EXPECT_EQ(b.short_train.size(), 142u);
  for (auto v : b.validation) {
    const auto& gene = c.records[c.anchors[v]].group;
    for (auto t : b.short_train) EXPECT_NE(c.records[c.anchors[t]].group, gene);
  }
  // Long batches of 50 and short of 150: p = 50*150 / (50*150 + 142*50).
  EXPECT_NEAR(b.long_batch_probability(150, 50), 50.0 * 150 / (50.0 * 150 + 142.0 * 50), 1e-12);
}

TEST(Pairs, HomologyTableErrorsNameFileAndLine) {
  test::TempDir dir;
  const auto good = dir.write("h.tsv", "# gene\tgroup\ng1\tH1\ng2\tH1\ng3\tH2\n");
  EXPECT_EQ(read_homology_table(good).at("g2"), "H1");
  const auto bad = dir.write("bad.tsv", "g1\tH1\ng2\n");
  try {
    read_homology_table(bad);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("expected two fields"), std::string::npos);
  }
  const auto twice = dir.write("twice.tsv", "g1\tH1\ng1\tH2\n");
  EXPECT_THROW(read_homology_table(twice), InputError);
}

}  // namespace
}  // namespace helix::data
