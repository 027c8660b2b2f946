#include "helix/data/orthologs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// One block of 10 columns; lowercase (soft-masked) bases, gaps, an N, a minus-strand partner.
const char* const kOneBlock =
    "##maf version=1\n"
    "a score=1\n"
    "s Hsap.22 100 9 + 1000 ACG-TacgtA\n"
    "s Ptro.22 200 8 + 2000 AC-GTac-tA\n"
    "s Ggor.22 300 10 + 3000 ACGGTNcgtA\n"
    "s Ppyg.Un   0 9 - 4000 TTTT-ACGTA\n"
    "\n";

class OrthologsTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    return dir_.write("f" + std::to_string(counter_++) + ".maf", text);
  }
  test::TempDir dir_{"helix_orthologs_test"};
  int counter_ = 0;
};

TEST_F(OrthologsTest, WholeBlockRemovesGapsAndUppercases) {
  OrthologOptions options;
  options.min_length = 5;
  const OrthologSet set = read_ortholog_groups(write(kOneBlock), options);
  EXPECT_EQ(set.blocks, 1);
  ASSERT_EQ(set.groups.size(), 1u);
  const OrthologGroup& g = set.groups[0];
  EXPECT_EQ(g.id, "Hsap.22:100-109");
  EXPECT_EQ(g.line, 2);
  EXPECT_EQ(g.reference_sequence, "ACGTACGTA");
  EXPECT_EQ(g.partner_species, (Strings{"Ptro", "Ggor", "Ppyg"}));
  // Ggor: 1 N in 10 bases is not more than max_n_fraction 0.1. Ppyg ('-' strand) as in the file.
  EXPECT_EQ(g.partner_sequences, (Strings{"ACGTACTA", "ACGGTNCGTA", "TTTTACGTA"}));
  EXPECT_EQ(set.partners_n, 0);
}

TEST_F(OrthologsTest, SpeciesFilterSetsOrder) {
  OrthologOptions options;
  options.min_length = 5;
  options.species = {"Ppyg", "Ggor", "Mmul"};
  const OrthologSet set = read_ortholog_groups(write(kOneBlock), options);
  ASSERT_EQ(set.groups.size(), 1u);
  EXPECT_EQ(set.groups[0].partner_species, (Strings{"Ppyg", "Ggor"}));  // no Mmul row
  EXPECT_EQ(set.groups[0].partner_sequences, (Strings{"TTTTACGTA", "ACGGTNCGTA"}));
}

TEST_F(OrthologsTest, WindowsCutAllSpeciesAtTheSameColumns) {
  OrthologOptions options;
  options.min_length = 1;
  options.max_length = 100;
  options.window = 4;  // columns [0,4) [4,8) [8,10)
  const OrthologSet set = read_ortholog_groups(write(kOneBlock), options);
  ASSERT_EQ(set.groups.size(), 3u);
  const auto& a = set.groups[0];
  EXPECT_EQ(a.id, "Hsap.22:100-103");  // "ACG-": 3 reference bases
  EXPECT_EQ(a.reference_sequence, "ACG");
  EXPECT_EQ(a.partner_species, (Strings{"Ptro", "Ggor", "Ppyg"}));
  EXPECT_EQ(a.partner_sequences, (Strings{"ACG", "ACGG", "TTTT"}));
  const auto& b = set.groups[1];
  EXPECT_EQ(b.id, "Hsap.22:103-107");
  EXPECT_EQ(b.reference_sequence, "TACG");
  // Ggor's "TNcg" has 1 N in 4 bases (> 0.1): left out, counted.
  EXPECT_EQ(b.partner_species, (Strings{"Ptro", "Ppyg"}));
  EXPECT_EQ(b.partner_sequences, (Strings{"TAC", "ACG"}));
  const auto& c = set.groups[2];
  EXPECT_EQ(c.id, "Hsap.22:107-109");
  EXPECT_EQ(c.reference_sequence, "TA");
  EXPECT_EQ(c.partner_sequences, (Strings{"TA", "TA", "TA"}));
  for (const auto& g : set.groups) EXPECT_EQ(g.line, 2);
  EXPECT_EQ(set.partners_n, 1);
  EXPECT_EQ(set.skipped_short, 0);

  // The last, shorter piece is kept only with >= min_length reference bases.
  options.min_length = 3;
  const OrthologSet longer = read_ortholog_groups(write(kOneBlock), options);
  ASSERT_EQ(longer.groups.size(), 2u);
  EXPECT_EQ(longer.groups[1].id, "Hsap.22:103-107");
  EXPECT_EQ(longer.skipped_short, 1);

  // A window wider than the block gives the whole block.
  options.window = 50;
  const OrthologSet whole = read_ortholog_groups(write(kOneBlock), options);
  ASSERT_EQ(whole.groups.size(), 1u);
  EXPECT_EQ(whole.groups[0].id, "Hsap.22:100-109");
}

TEST_F(OrthologsTest, SkipsAreCounted) {
  const std::string path = write(
      "##maf version=1\n"
      "a\n"  // 2: no reference row
      "s Ptro.1 0 5 + 10 ACGTA\n"
      "\n"
      "a\n"  // 5: reference shorter than min_length
      "s Hsap.1 0 3 + 100 ACG\n"
      "s Ptro.1 0 3 + 100 ACG\n"
      "\n"
      "a\n"  // 9: reference at max_length
      "s Hsap.1 10 12 + 100 ACGTACGTACGT\n"
      "s Ptro.1 10 12 + 100 ACGTACGTACGT\n"
      "\n"
      "a\n"  // 13: reference with too many N
      "s Hsap.1 30 8 + 100 ACGTNNAC\n"
      "s Ptro.1 30 8 + 100 ACGTACAC\n"
      "\n"
      "a\n"  // 17: one partner all gaps, one with too many N: no partner left
      "s Hsap.1 40 8 + 100 ACGTACGT\n"
      "s Ptro.1 40 0 + 100 --------\n"
      "s Ggor.1 40 8 + 100 ACNNACGT\n"
      "\n"
      "a\n"  // 22: a group; the second Ptro row (a paralogous copy) is ignored
      "s Hsap.1 50 8 + 100 ACGTACGT\n"
      "s Ptro.1 50 8 + 100 ACGTACGA\n"
      "s Ptro.7 0 8 + 100 TTTTTTTT\n"
      "s Ggor.1 50 7 + 100 ACG-ACGT\n"
      "\n"
      "a\n"  // 28: reference on the '-' strand: forward coordinates and "(-)"
      "s Hsap.22 10 5 - 100 acgta\n"
      "s Ptro.1 0 5 + 5 ACGTT\n");
  OrthologOptions options;
  options.min_length = 4;
  options.max_length = 12;
  const OrthologSet set = read_ortholog_groups(path, options);
  EXPECT_EQ(set.blocks, 7);
  EXPECT_EQ(set.skipped_no_reference, 1);
  EXPECT_EQ(set.skipped_short, 1);
  EXPECT_EQ(set.skipped_long, 1);
  EXPECT_EQ(set.skipped_reference_n, 1);
  EXPECT_EQ(set.skipped_no_partner, 1);
  EXPECT_EQ(set.partners_n, 1);
  EXPECT_EQ(set.partners_empty, 1);
  ASSERT_EQ(set.groups.size(), 2u);
  const auto& a = set.groups[0];
  EXPECT_EQ(a.id, "Hsap.1:50-58");
  EXPECT_EQ(a.line, 22);
  EXPECT_EQ(a.partner_species, (Strings{"Ptro", "Ggor"}));
  EXPECT_EQ(a.partner_sequences, (Strings{"ACGTACGA", "ACGACGT"}));
  const auto& b = set.groups[1];
  EXPECT_EQ(b.id, "Hsap.22:85-90(-)");
  EXPECT_EQ(b.line, 28);
  EXPECT_EQ(b.reference_sequence, "ACGTA");  // as in the file, not reverse complemented
  EXPECT_EQ(b.partner_sequences, (Strings{"ACGTT"}));
  const std::string summary = set.summary();
  EXPECT_NE(summary.find("7 alignment blocks -> 2 ortholog groups with 3 partner sequences"),
            std::string::npos)
      << summary;

  // Another reference species: Ptro rows become the anchors (the first Ptro row of a block).
  options.reference = "Ptro";
  const OrthologSet ptro = read_ortholog_groups(path, options);
  EXPECT_EQ(ptro.skipped_no_reference, 0);
  EXPECT_EQ(ptro.skipped_short, 2);       // blocks 5 (3 bases) and 17 (0 bases)
  EXPECT_EQ(ptro.skipped_no_partner, 2);  // blocks 2 (alone) and 13 (Hsap N-rich)
  EXPECT_EQ(ptro.partners_n, 1);
  ASSERT_EQ(ptro.groups.size(), 2u);
  EXPECT_EQ(ptro.groups[0].id, "Ptro.1:50-58");
  EXPECT_EQ(ptro.groups[0].reference_sequence, "ACGTACGA");
  EXPECT_EQ(ptro.groups[0].partner_species, (Strings{"Hsap", "Ggor"}));
  EXPECT_EQ(ptro.groups[1].id, "Ptro.1:0-5");
  EXPECT_EQ(ptro.groups[1].partner_sequences, (Strings{"ACGTA"}));
}

TEST_F(OrthologsTest, InvalidOptionsAreUsageErrors) {
  const std::string path = write(kOneBlock);
  auto expect_usage = [&](OrthologOptions o, const std::string& what) {
    try {
      read_ortholog_groups(path, o);
      ADD_FAILURE() << "no UsageError for " << what;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  OrthologOptions o;
  o.min_length = 0;
  expect_usage(o, "min_length must be >= 1");
  o = {};
  o.max_length = o.min_length;
  expect_usage(o, "max_length (200) must be greater than min_length (200)");
  o = {};
  o.window = -1;
  expect_usage(o, "window must be >= 0");
  o = {};
  o.max_n_fraction = 1.5;
  expect_usage(o, "max_n_fraction");
  o.max_n_fraction = std::nan("");
  expect_usage(o, "max_n_fraction");
  o = {};
  o.species = {"Ptro", "Hsap"};
  expect_usage(o, "'Hsap' is also listed among the partner species");
}

TEST_F(OrthologsTest, MalformedMafIsAnInputError) {
  const std::string path = write("a\ns Hsap.1 0 4 + 9 ACGT\ns Ptro.1 0 4 + 9 ACGTA\n");
  try {
    read_ortholog_groups(path, OrthologOptions{});
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3);
  }
  EXPECT_THROW(read_ortholog_groups((dir_ / "missing.maf").string(), OrthologOptions{}),
               InputError);
}

// Human chr22 aligned with chimpanzee, gorilla and orangutan (scripts/fetch-data.sh). The numbers
// were measured with this reader and cross-checked by an independent Python count.
TEST(OrthologsRealData, Chr22Catarrhini) {
  const std::string path = std::string(HELIX_SOURCE_DIR) + "/data/orthologs/chr22.maf.gz";
  if (!fs::exists(path)) {
    GTEST_SKIP() << "no " << path << " (run scripts/fetch-data.sh to fetch it)";
  }
  OrthologOptions options;  // Hsap anchors, all partners, 200 <= length < 12288
  const OrthologSet blocks = read_ortholog_groups(path, options);
  EXPECT_EQ(blocks.blocks, 9627);
  EXPECT_EQ(blocks.groups.size(), 9568u);
  EXPECT_EQ(blocks.skipped_long, 59);
  EXPECT_EQ(blocks.skipped_short, 0);
  EXPECT_EQ(blocks.skipped_reference_n, 0);
  EXPECT_EQ(blocks.skipped_no_partner, 0);
  EXPECT_EQ(blocks.partners_n, 2);
  int64_t reference_bases = 0, partners = 0;
  for (const auto& g : blocks.groups) {
    reference_bases += static_cast<int64_t>(g.reference_sequence.size());
    partners += static_cast<int64_t>(g.partner_sequences.size());
  }
  EXPECT_EQ(reference_bases, 20706254);
  EXPECT_EQ(partners, 28702);
  ASSERT_FALSE(blocks.groups.empty());
  EXPECT_EQ(blocks.groups[0].id, "Hsap.22:17443628-17448117");
  EXPECT_EQ(blocks.groups[0].partner_species, (Strings{"Ptro", "Ggor", "Ppyg"}));
  EXPECT_EQ(blocks.groups[0].reference_sequence.substr(0, 20), "CTTGGCGCCCCTGGGAGGCT");

  // Rows come in two orders in this file; a species list fixes the partners' order.
  options.species = {"Ptro", "Ggor", "Ppyg"};
  options.window = 3000;
  const OrthologSet windows = read_ortholog_groups(path, options);
  for (const auto& g : windows.groups) {
    if (g.partner_species.size() == 3) {
      EXPECT_EQ(g.partner_species, (Strings{"Ptro", "Ggor", "Ppyg"}));
    }
  }
  EXPECT_EQ(windows.groups.size(), 12470u);
  EXPECT_EQ(windows.skipped_short, 280);
  EXPECT_EQ(windows.skipped_long, 0);
  reference_bases = 0;
  for (const auto& g : windows.groups) {
    reference_bases += static_cast<int64_t>(g.reference_sequence.size());
  }
  EXPECT_EQ(reference_bases, 21601994);
}

}  // namespace
}  // namespace helix::data
