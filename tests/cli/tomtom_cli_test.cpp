// End-to-end tests of helix tomtom: output layout, errors with file:line, atomic --out.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "../motif/random_motifs.hpp"
#include "cli_helpers.hpp"
#include "helix/io/motif_file.hpp"

namespace helix::cli_test {
namespace {

const std::string kHeader =
    "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\t"
    "Target_consensus\tOrientation";

class TomtomCli : public ::testing::Test {
 protected:
  TomtomCli() {
    const auto targets = test::random_motifs(60, 1);
    io::write_meme((dir_ / "targets.meme").string(), targets);
    io::write_meme((dir_ / "queries.meme").string(), {targets[4], targets[9]});
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  TempDir dir_{"helix_tomtom_cli"};
};

TEST_F(TomtomCli, WritesTheHeaderRowsAndTrailingComments) {
  const auto r = run_helix({"tomtom", "--query", path("queries.meme"), "--target",
                            path("targets.meme"), "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const auto lines = text_lines(r.out);
  ASSERT_GE(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0], kHeader);
  // Each query's best match is itself, on its own strand, at offset 0.
  EXPECT_EQ(lines[1].rfind("R4\tR4\t0\t", 0), 0u) << lines[1];
  EXPECT_EQ(lines[1].back(), '+');
  size_t rows = 0;
  bool second_query = false;
  for (size_t i = 1; i < lines.size() && !lines[i].empty(); ++i, ++rows) {
    EXPECT_EQ(std::count(lines[i].begin(), lines[i].end(), '\t'), 9) << lines[i];
    if (lines[i].rfind("R9\t", 0) == 0 && !second_query) {
      second_query = true;
      EXPECT_EQ(lines[i].rfind("R9\tR9\t0\t", 0), 0u) << lines[i];
    }
  }
  EXPECT_TRUE(second_query);
  ASSERT_EQ(lines.size(), rows + 4) << r.out;  // rows, a blank line, two comments
  EXPECT_EQ(lines[rows + 2].rfind("# helix ", 0), 0u);
  EXPECT_NE(lines[rows + 2].find(" tomtom"), std::string::npos);
  EXPECT_EQ(lines[rows + 3].rfind("# helix tomtom --query " + path("queries.meme"), 0), 0u)
      << lines[rows + 3];
}

TEST_F(TomtomCli, MalformedMotifFileExitsWithCode2AndFileLine) {
  const std::string bad = dir_.write("bad.meme",
                                     "MEME version 4\n\nALPHABET= ACGT\n\nMOTIF M1\n"
                                     "letter-probability matrix: alength= 4 w= 2 nsites= 20\n"
                                     "0.25 0.25 0.25 0.25\n0.25 x 0.25 0.25\n");
  auto r = run_helix({"tomtom", "--query", bad, "--target", path("targets.meme")});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("bad.meme:8:"), std::string::npos) << r.err;
  r = run_helix({"tomtom", "--query", path("queries.meme"), "--target", path("targets.meme"),
                 "--target", bad});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("bad.meme:8:"), std::string::npos) << r.err;
}

TEST_F(TomtomCli, OutIsReplacedAtomicallyAndOnlyOnSuccess) {
  const std::string out = dir_.write("hits.tsv", "old\n");
  const std::string bad = dir_.write("bad.pfm", ">M1\n1 2 3\n");
  auto r = run_helix({"tomtom", "--query", bad, "--target", path("targets.meme"), "--out", out});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_EQ(read_text(out), "old\n");
  r = run_helix({"tomtom", "--query", path("queries.meme"), "--target", path("targets.meme"),
                 "--out", out, "--dist", "ed", "--min-overlap", "5", "--thresh", "1", "--evalue"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(read_text(out).rfind(kHeader + "\n", 0), 0u);
  EXPECT_NE(read_text(out).find("--dist ed --min-overlap 5 --thresh 1"), std::string::npos);
  // Nothing else (no temporary) is left beside it.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 4u);  // targets.meme, queries.meme, bad.pfm, hits.tsv
}

TEST_F(TomtomCli, RejectsBadOptions) {
  const auto q = path("queries.meme");
  const auto t = path("targets.meme");
  EXPECT_EQ(run_helix({"tomtom", "--query", q, "--target", t, "--thresh", "2"}).code, 2);
  EXPECT_EQ(run_helix({"tomtom", "--query", q, "--target", t, "--dist", "kullback"}).code, 2);
  EXPECT_EQ(run_helix({"tomtom", "--query", q}).code, 2);
  EXPECT_EQ(run_helix({"tomtom", "--query", q, "--target", path("absent.meme")}).code, 2);
  const auto help = run_helix({"tomtom", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* option : {"--query", "--target", "--out", "--dist", "--min-overlap", "--thresh",
                             "--evalue", "--norc", "--no-ssc", "--threads"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

// The MEME 4.12 golden run through the command line: same number of rows.
TEST(TomtomCliGolden, ReproducesMemeRowCount) {
  const std::string golden = std::string(HELIX_SOURCE_DIR) + "/../shared/data/golden/tomtom";
  if (!fs::exists(golden + "/queries_vs_jaspar.tsv")) GTEST_SKIP() << "no " << golden;
  const auto r =
      run_helix({"tomtom", "--query", golden + "/queries.meme", "--target",
                 golden + "/JASPAR2022_CORE_vertebrates_nr.meme", "--no-ssc", "--min-overlap", "5",
                 "--dist", "pearson", "--evalue", "--thresh", "10"});
  ASSERT_EQ(r.code, 0) << r.describe();
  size_t rows = 0;
  for (const auto& line : text_lines(r.out)) {
    if (!line.empty() && line[0] != '#') ++rows;
  }
  EXPECT_EQ(rows, 1 + 1858u);
}

}  // namespace
}  // namespace helix::cli_test
