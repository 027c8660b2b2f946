#include "helix/io/maf.hpp"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../input_error.hpp"
#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

namespace fs = std::filesystem;

// Two blocks: header, comments, `a` key=value pairs, runs of blanks between fields, i/e/q lines,
// a minus-strand row, a source without '.', '\r' line ends, no newline at the end.
const char* const kTwoBlocks =
    "##maf version=1 scoring=none\n"
    "# a comment\n"
    "\n"
    "a score=12.5\n"
    "s Hsap.22   100 10 + 1000 ACGT-acgtNN\n"
    "s Ptro.22    50 10 - 900  ACGTTAC-GTN\r\n"
    "i Ptro.22 C 0 C 0\n"
    "q Ptro.22                 9999-99999\n"
    "e Ggor.22 0 10 + 800 I\n"
    "\n"
    "#between blocks\n"
    "a\n"
    "s Hsap.chr22.alt 0 3 + 3 r-yk\n"
    "s scaffold9 7 3 + 20 AC-T";

class MafTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    return dir_.write(name, text);
  }
  // mode "w": bgzip; "wg": plain gzip.
  std::string write_compressed(const std::string& name, const std::string& text, const char* mode) {
    return test::write_compressed_file((dir_ / name).string(), text, mode);
  }

  static std::vector<MafBlock> read_all(const std::string& path) {
    MafReader reader(path);
    std::vector<MafBlock> blocks;
    MafBlock block;
    while (reader.next(block)) blocks.push_back(block);
    EXPECT_FALSE(reader.next(block));  // stays at end
    return blocks;
  }

  // The InputError thrown by reading the whole file (fails the test if none is thrown).
  static InputError read_error(const std::string& path) {
    return test::input_error_of([&] { read_all(path); }, path);
  }

  // Writes `text`, reads it, and checks that the error names the file, the line and `problem`.
  void expect_error(const std::string& text, int64_t line, const std::string& problem) {
    const std::string path = write("bad" + std::to_string(counter_++) + ".maf", text);
    const InputError e = read_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), line) << e.what();
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path + ":" + std::to_string(line) + ": ", 0), 0u) << what;
    EXPECT_NE(what.find(problem), std::string::npos) << what;
  }

  test::TempDir dir_{"helix_maf_test"};
  int counter_ = 0;
};

void expect_two_blocks(const std::vector<MafBlock>& blocks) {
  ASSERT_EQ(blocks.size(), 2u);
  const MafBlock& a = blocks[0];
  EXPECT_EQ(a.line, 4);
  ASSERT_EQ(a.rows.size(), 2u);
  const MafRow& h = a.rows[0];
  EXPECT_EQ(h.src, "Hsap.22");
  EXPECT_EQ(h.species, "Hsap");
  EXPECT_EQ(h.chrom, "22");
  EXPECT_EQ(h.start, 100);
  EXPECT_EQ(h.size, 10);
  EXPECT_EQ(h.strand, '+');
  EXPECT_EQ(h.src_size, 1000);
  EXPECT_EQ(h.text, "ACGT-acgtNN");
  EXPECT_EQ(h.line, 5);
  const MafRow& p = a.rows[1];
  EXPECT_EQ(p.src, "Ptro.22");
  EXPECT_EQ(p.species, "Ptro");
  EXPECT_EQ(p.start, 50);
  EXPECT_EQ(p.size, 10);
  EXPECT_EQ(p.strand, '-');
  EXPECT_EQ(p.src_size, 900);
  EXPECT_EQ(p.text, "ACGTTAC-GTN");  // '\r' dropped
  EXPECT_EQ(p.line, 6);

  const MafBlock& b = blocks[1];
  EXPECT_EQ(b.line, 12);
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_EQ(b.rows[0].species, "Hsap");  // text before the first '.'
  EXPECT_EQ(b.rows[0].chrom, "chr22.alt");
  EXPECT_EQ(b.rows[0].text, "r-yk");
  EXPECT_EQ(b.rows[1].src, "scaffold9");
  EXPECT_EQ(b.rows[1].species, "scaffold9");
  EXPECT_EQ(b.rows[1].chrom, "");
  EXPECT_EQ(b.rows[1].line, 14);
}

TEST_F(MafTest, ParsesRowsAndSpecies) { expect_two_blocks(read_all(write("a.maf", kTwoBlocks))); }

TEST_F(MafTest, ReadsGzipAndBgzip) {
  expect_two_blocks(read_all(write_compressed("a.maf.gz", kTwoBlocks, "wg")));
  expect_two_blocks(read_all(write_compressed("b.maf.gz", kTwoBlocks, "w")));
}

TEST_F(MafTest, BlocksNeedNotBeSeparatedByBlankLines) {
  const auto blocks = read_all(write("c.maf",
                                     "a\n"
                                     "s A.1 0 2 + 2 AC\n"
                                     "a\n"
                                     "s A.1 0 1 + 2 -G\n"
                                     "s B.1 0 2 + 2 GG\n\n\n"));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].rows.size(), 1u);
  EXPECT_EQ(blocks[1].line, 3);
  ASSERT_EQ(blocks[1].rows.size(), 2u);
  EXPECT_EQ(blocks[1].rows[1].text, "GG");
}

TEST_F(MafTest, BlockWithoutRowsAndEmptyFiles) {
  const auto blocks = read_all(write("d.maf", "##maf version=1\na score=0\n\n"));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0].rows.empty());
  EXPECT_TRUE(read_all(write("e.maf", "")).empty());
  EXPECT_TRUE(read_all(write("f.maf", "##maf version=1\n# nothing\n\n")).empty());
}

TEST_F(MafTest, WrongNumberOfFields) {
  expect_error("##maf\na\ns A.1 0 2 + 2\n", 3, "with 6 fields (expected 7");
  expect_error("a\ns A.1 0 2 + 2 AC\ns B.1 0 2 + 2 AC GT\n", 3, "more than 7 fields");
}

TEST_F(MafTest, NonNumericNumbers) {
  expect_error("a\ns A.1 1x 2 + 9 AC\n", 2, "start '1x' is not a non-negative integer");
  expect_error("a\n\n\na\ns A.1 0 -2 + 9 AC\n", 5, "size '-2' is not a non-negative integer");
  expect_error("a\ns A.1 0 2 + big AC\n", 2, "srcSize 'big'");
  expect_error("a\ns A.1 0 2 + 99999999999999999999 AC\n", 2, "srcSize");
}

TEST_F(MafTest, BadStrand) {
  expect_error("a\ns A.1 0 2 + 9 AC\ns B.1 0 2 . 9 AC\n", 3, "strand '.' (expected + or -)");
  expect_error("a\ns A.1 0 2 +- 9 AC\n", 2, "strand '+-'");
}

TEST_F(MafTest, UnequalTextLengths) {
  expect_error("a\ns A.1 0 4 + 9 ACGT\ns B.1 0 4 + 9 AC-GT\n\n", 3, "MAF blocks of unequal length");
}

TEST_F(MafTest, SizeDiffersFromBases) {
  expect_error("a\ns A.1 0 4 + 9 ACGT\ns B.1 0 4 + 9 AC-T\n", 3,
               "size 4 of B.1 differs from the 3 non-gap characters");
}

TEST_F(MafTest, StartPlusSizeBeyondSource) {
  expect_error("a\ns A.1 7 4 + 10 ACGT\n", 2, "exceeds srcSize 10");
}

TEST_F(MafTest, RowOutsideBlock) {
  expect_error("##maf\ns A.1 0 2 + 2 AC\n", 2, "'s' line outside an alignment block");
  expect_error("a\ns A.1 0 2 + 2 AC\n\ns B.1 0 2 + 2 AC\n", 4, "'s' line outside");
}

TEST_F(MafTest, InvalidTextCharacters) {
  expect_error("a\ns A.1 0 4 + 9 ACXT\n", 2, "invalid character 'X' in the alignment text of A.1");
  expect_error("a\ns A.1 0 3 + 9 AC.T\n", 2, "invalid character '.'");
  expect_error("a\ns A.1 0 3 + 9 AC*T\n", 2, "invalid character '*'");
}

TEST_F(MafTest, NotMafLines) {
  expect_error(">chr1\nACGT\n", 1, "not a MAF line");
  expect_error("a\ns A.1 0 2 + 2 AC\nx something\n", 3, "not a MAF line inside an alignment block");
}

TEST_F(MafTest, TruncatedGzipIsAnError) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "a\ns A.1 0 8 + 8 ACGTACGT\ns B.1 0 8 + 8 ACGTTCGT\n\n";
  const std::string full = write_compressed("t.maf.gz", text, "wg");
  const auto size = fs::file_size(full);
  fs::resize_file(full, size / 2);
  const InputError e = read_error(full);
  EXPECT_NE(std::string(e.what()).find("truncated or corrupt compressed data"), std::string::npos)
      << e.what();
}

TEST_F(MafTest, MissingFile) {
  const std::string missing = (dir_ / "missing.maf").string();
  try {
    MafReader reader(missing);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": no such file");
  }
}

// Ensembl Compara EPO alignments of human chr22 with chimpanzee, gorilla and orangutan, from
// scripts/fetch-data.sh (Debian package maffilter-examples).
TEST(MafRealData, Chr22Catarrhini) {
  const std::string path = std::string(HELIX_SOURCE_DIR) + "/data/orthologs/chr22.maf.gz";
  if (!fs::exists(path)) {
    GTEST_SKIP() << "no " << path << " (run scripts/fetch-data.sh to fetch it)";
  }
  MafReader reader(path);
  MafBlock block;
  int64_t blocks = 0, with_gaps = 0, human_bases = 0, columns = 0, rows = 0;
  int64_t first_start = -1;
  std::map<std::string, int64_t> row_orders;
  while (reader.next(block)) {
    ++blocks;
    ASSERT_EQ(block.rows.size(), 4u) << "block at line " << block.line;
    std::string order;
    for (const auto& row : block.rows) order += row.species + " ";
    ++row_orders[order];
    const MafRow& human = block.rows[order.rfind("Hsap", 0) == 0 ? 0 : 1];
    ASSERT_EQ(human.src, "Hsap.22") << "block at line " << block.line;
    if (first_start < 0) first_start = human.start;
    human_bases += human.size;
    columns += static_cast<int64_t>(block.rows[0].text.size());
    bool gap = false;
    for (const auto& row : block.rows) {
      ++rows;
      gap = gap || row.text.find('-') != std::string::npos;
    }
    with_gaps += gap;
  }
  EXPECT_EQ(blocks, 9627);
  EXPECT_EQ(rows, 4 * 9627);
  EXPECT_EQ(first_start, 17443628);
  EXPECT_EQ(human_bases, 21629102);
  EXPECT_EQ(columns, 21730560);
  // Rows come in two orders.
  EXPECT_EQ(row_orders, (std::map<std::string, int64_t>{{"Hsap Ptro Ggor Ppyg ", 5359},
                                                        {"Ggor Hsap Ppyg Ptro ", 4268}}));
  // Despite "nogap" in its name, most blocks have gaps in some row.
  EXPECT_EQ(with_gaps, 9332);
}

}  // namespace
}  // namespace helix::io
