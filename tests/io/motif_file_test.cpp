#include "helix/io/motif_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

namespace fs = std::filesystem;

class MotifFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    return dir_.write(name, text);
  }
  // The message of the InputError read_motifs throws.
  static std::string error_of(const std::string& path) {
    try {
      read_motifs(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
  test::TempDir dir_{"helix_motif"};
};

TEST_F(MotifFileTest, ReadsTheThreeJasparLayoutsAlike) {
  // The same 3-position motif: A, then C/G, then T, from 10 sites.
  const auto jaspar =
      write("m.jaspar", ">MA9999.1 TEST\nA [ 10 0 0 ]\nC [ 0 5 0 ]\nG [ 0 5 0 ]\nT [ 0 0 10 ]\n");
  const auto classic = write("m.pfm", ">MA9999.1 TEST\n10 0 0\n0 5 0\n0 5 0\n0 0 10\n");
  const auto positions = write("p.pfm",
                               "# comment\n>MA9999.1_MA9999.1.TEST\n10\t0\t0\t0\n"
                               "0\t5\t5\t0\n0\t0\t0\t10\n");
  for (const auto& path : {jaspar, classic, positions}) {
    const auto motifs = read_motifs(path);
    ASSERT_EQ(motifs.size(), 1u) << path;
    EXPECT_EQ(motifs[0].id, "MA9999.1") << path;
    EXPECT_EQ(motifs[0].name, "TEST") << path;
    EXPECT_DOUBLE_EQ(motifs[0].sites, 10.0);
    ASSERT_EQ(motifs[0].length(), 3u) << path;
    EXPECT_DOUBLE_EQ(motifs[0].probabilities[0][0], 1.0);
    EXPECT_DOUBLE_EQ(motifs[0].probabilities[1][1], 0.5);
    EXPECT_DOUBLE_EQ(motifs[0].probabilities[1][2], 0.5);
    EXPECT_DOUBLE_EQ(motifs[0].probabilities[2][3], 1.0);
  }
}

TEST_F(MotifFileTest, FourByFourMatricesAreOrientedByTheirConstantSums) {
  // Position rows (each row sums to 8): A, C, G, T in turn with some noise.
  const auto p = write("four.pfm", ">X\n5 1 1 1\n1 5 1 1\n1 1 5 1\n0 2 1 5\n");
  const auto m = read_motifs(p)[0];
  EXPECT_DOUBLE_EQ(m.probabilities[3][3], 5.0 / 8);
  EXPECT_DOUBLE_EQ(m.probabilities[3][0], 0.0);
}

TEST_F(MotifFileTest, MemeRoundTripAndReverseComplement) {
  motif::Motif a;
  a.id = "M1";
  a.name = "first";
  a.sites = 12;
  a.probabilities = {{0.7, 0.1, 0.1, 0.1}, {0.0, 0.0, 1.0, 0.0}};
  motif::Motif b = motif::reverse_complement(a);
  b.id = "M2";
  b.name = "";
  b.sites = 0;
  EXPECT_DOUBLE_EQ(b.probabilities[0][1], 1.0);  // G -> C, last position first
  EXPECT_DOUBLE_EQ(b.probabilities[1][3], 0.7);  // A -> T
  const auto path = (dir_ / "out.meme").string();
  write_meme(path, {a, b});
  const auto back = read_motifs(path);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].id, "M1");
  EXPECT_EQ(back[0].name, "first");
  EXPECT_DOUBLE_EQ(back[0].sites, 12);
  EXPECT_DOUBLE_EQ(back[1].sites, 20);  // unknown sites are written as 20
  for (size_t p = 0; p < 2; ++p) {
    for (int k = 0; k < 4; ++k) {
      EXPECT_NEAR(back[0].probabilities[p][k], a.probabilities[p][k], 1e-6);
      EXPECT_NEAR(back[1].probabilities[p][k], b.probabilities[p][k], 1e-6);
    }
  }
}

TEST_F(MotifFileTest, MemeSkipsLogOddsAndUrlLines) {
  const auto p = write("x.meme",
                       "MEME version 5\n\nALPHABET= ACGT\n\nMOTIF A1 alt\n\n"
                       "log-odds matrix: alength= 4 w= 2 n= 20 bayes= 1 E= 0\n"
                       " 1.0 -1.0 -1.0 -1.0\n-1.0 1.0 -1.0 -1.0\n\n"
                       "letter-probability matrix: alength= 4 w= 2 nsites= 7 E= 0\n"
                       " 0.25 0.25 0.25 0.25\n 0.1 0.2 0.3 0.4\nURL http://example\n");
  const auto m = read_motifs(p);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].name, "alt");
  EXPECT_DOUBLE_EQ(m[0].sites, 7);
  EXPECT_DOUBLE_EQ(m[0].probabilities[1][3], 0.4);
}

TEST_F(MotifFileTest, MalformedFilesNameFileAndLine) {
  const auto short_meme =
      write("s.meme",
            "MEME version 4\nALPHABET= ACGT\nMOTIF M\n"
            "letter-probability matrix: alength= 4 w= 3\n0.25 0.25 0.25 0.25\n");
  EXPECT_NE(error_of(short_meme).find("s.meme:4: matrix has 1 rows but w= 3"), std::string::npos)
      << error_of(short_meme);
  const auto rna = write("r.meme", "MEME version 4\nALPHABET= ACGU\n");
  EXPECT_NE(error_of(rna).find("r.meme:2:"), std::string::npos) << error_of(rna);
  const auto bad_number = write("b.pfm", ">M1\n1 2 3 4\n1 2 x 4\n");
  EXPECT_NE(error_of(bad_number).find("b.pfm:3: 'x' is not a number"), std::string::npos)
      << error_of(bad_number);
  const auto negative = write("n.pfm", ">M1\n1 2 3 -4\n");
  EXPECT_NE(error_of(negative).find("n.pfm:2: negative"), std::string::npos);
  const auto ragged = write("g.pfm", ">M1\n1 2 3 4\n1 2 3\n1 2\n");
  EXPECT_NE(error_of(ragged).find("g.pfm:1:"), std::string::npos) << error_of(ragged);
  const auto empty_motif = write("e.pfm", ">M1\n>M2\n1 1 1 1\n");
  EXPECT_NE(error_of(empty_motif).find("e.pfm:1: motif without matrix rows"), std::string::npos);
  const auto text = write("t.txt", "hello\n");
  EXPECT_NE(error_of(text).find("t.txt:1: expected a '>' motif header"), std::string::npos);
  EXPECT_NE(error_of(write("z.meme", "\n\n")).find("empty file"), std::string::npos);
  EXPECT_NE(error_of((dir_ / "absent.meme").string()).find("no such file"), std::string::npos);
}

TEST_F(MotifFileTest, ReadsTheSharedJaspar2022Bundle) {
  const std::string path =
      std::string(HELIX_SOURCE_DIR) + "/../shared/data/motifs/JASPAR2022_CORE_vertebrates_nr.pfm";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  const auto motifs = read_motifs(path);
  ASSERT_EQ(motifs.size(), 838u);
  EXPECT_EQ(motifs[0].id, "MA0004.1");
  EXPECT_EQ(motifs[0].name, "Arnt");
  EXPECT_EQ(motifs[0].length(), 6u);
  EXPECT_DOUBLE_EQ(motifs[0].sites, 20.0);
  EXPECT_DOUBLE_EQ(motifs[0].probabilities[0][1], 16.0 / 20);  // "4.0 16.0 0.0 0.0"
  bool ctcf = false;
  for (const auto& m : motifs) {
    ctcf = ctcf || m.name == "CTCF";
    for (const auto& row : m.probabilities) {
      EXPECT_NEAR(row[0] + row[1] + row[2] + row[3], 1.0, 1e-9) << m.id;
    }
  }
  EXPECT_TRUE(ctcf);
}

}  // namespace
}  // namespace helix::io
