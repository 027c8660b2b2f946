#include "helix/motif/tomtom.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "helix/io/motif_file.hpp"
#include "helix/util/error.hpp"
#include "random_motifs.hpp"

namespace helix::motif {
namespace {

namespace fs = std::filesystem;
using Column = std::array<double, 4>;
constexpr Column kUniform{0.25, 0.25, 0.25, 0.25};

const std::string kShared = std::string(HELIX_SOURCE_DIR) + "/../shared/data";
const std::string kGolden = kShared + "/golden/tomtom";
const std::string kJasparMeme = kGolden + "/JASPAR2022_CORE_vertebrates_nr.meme";

using test::random_motifs;

Motif uniform_motif(size_t length) {
  Motif m;
  m.id = "uniform";
  m.sites = 20;
  m.probabilities.assign(length, kUniform);
  return m;
}

std::vector<TomtomMatch> matches_of(const std::vector<TomtomMatch>& all, size_t query) {
  std::vector<TomtomMatch> out;
  for (const auto& m : all) {
    if (m.query == query) out.push_back(m);
  }
  return out;
}

TEST(TomtomTest, ColumnScoresMatchHandComputations) {
  const Column a{1, 0, 0, 0};
  const Column c{0, 1, 0, 0};
  // Pearson, centred on 1/4: (3/4, -1/4, -1/4, -1/4) . (-1/4, 3/4, -1/4, -1/4) = -1/4, and each
  // centred column has squared norm 3/4.
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kPearson, a, 20, c, 20, kUniform), -1.0 / 3,
              1e-15);
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kPearson, a, 20, a, 20, kUniform), 1.0, 1e-15);
  // A uniform column has no variance: MEME scores it 0 against anything.
  EXPECT_EQ(tomtom_column_score(TomtomDistance::kPearson, kUniform, 20, a, 20, kUniform), 0.0);
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kEuclidean, a, 20, c, 20, kUniform),
              -std::sqrt(2.0), 1e-15);
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kSandelin, a, 20, c, 20, kUniform), 0.0, 1e-15);
  const Column q{0.4, 0.3, 0.2, 0.1};
  const Column t{0.1, 0.2, 0.3, 0.4};
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kEuclidean, q, 20, t, 20, kUniform),
              -std::sqrt(0.09 + 0.01 + 0.01 + 0.09), 1e-15);
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kSandelin, q, 20, t, 20, kUniform), 2 - 0.2,
              1e-15);
  // allr with 10 query and 30 target sites: the sum over bases of 30 t log(q/b) + 10 q log(t/b),
  // over the sum of 10 q + 30 t (= 40).
  const double numerator =
      30 * (0.1 * std::log(1.6) + 0.2 * std::log(1.2) + 0.3 * std::log(0.8) + 0.4 * std::log(0.4)) +
      10 * (0.4 * std::log(0.4) + 0.3 * std::log(0.8) + 0.2 * std::log(1.2) + 0.1 * std::log(1.6));
  EXPECT_NEAR(tomtom_column_score(TomtomDistance::kAllr, q, 10, t, 30, kUniform), numerator / 40,
              1e-14);
  EXPECT_NEAR(
      tomtom_column_score(TomtomDistance::kAllr, q, 10, q, 30, kUniform),
      (0.4 * std::log(1.6) + 0.3 * std::log(1.2) + 0.2 * std::log(0.8) + 0.1 * std::log(0.4)),
      1e-14);
}

TEST(TomtomTest, PseudocountAndConsensusFollowMeme) {
  Motif m;
  m.id = "m";
  m.sites = 20.9;  // MEME truncates to 20
  m.probabilities = {{1, 0, 0, 0}, {0, 0.5, 0.5, 0}};
  const Motif p = with_tomtom_pseudocount(m, 0.1, kUniform);
  EXPECT_DOUBLE_EQ(p.probabilities[0][0], (20 + 0.025) / 20.1);
  EXPECT_DOUBLE_EQ(p.probabilities[0][1], 0.025 / 20.1);
  m.sites = 0;  // unknown: 20 sites
  EXPECT_DOUBLE_EQ(with_tomtom_pseudocount(m, 0.1, kUniform).probabilities[0][0],
                   (20 + 0.025) / 20.1);
  EXPECT_EQ(with_tomtom_pseudocount(m, 0, kUniform).probabilities, m.probabilities);
  TomtomOptions options;
  EXPECT_EQ(tomtom_consensus(m, options).size(), 2u);
  EXPECT_EQ(tomtom_consensus(m, options)[0], 'A');
  EXPECT_EQ(parse_tomtom_distance("ed"), TomtomDistance::kEuclidean);
  EXPECT_EQ(tomtom_distance_name(TomtomDistance::kAllr), "allr");
  EXPECT_THROW(parse_tomtom_distance("kullback"), UsageError);
}

TEST(TomtomTest, MotifIsItsOwnTopHitAtOffsetZeroOnTheSameStrand) {
  const auto db_motifs = random_motifs(60, 7);
  for (auto distance : {TomtomDistance::kPearson, TomtomDistance::kEuclidean,
                        TomtomDistance::kSandelin, TomtomDistance::kAllr}) {
    TomtomOptions options;
    options.distance = distance;
    const TomtomDatabase db(db_motifs, options);
    const std::vector<Motif> queries{db_motifs[3], db_motifs[41]};
    const auto matches = compare_motifs(queries, db);
    for (size_t q = 0; q < queries.size(); ++q) {
      const auto hits = matches_of(matches, q);
      ASSERT_FALSE(hits.empty()) << tomtom_distance_name(distance);
      EXPECT_EQ(db.target(hits[0].target).id, queries[q].id) << tomtom_distance_name(distance);
      EXPECT_EQ(hits[0].offset, 0);
      EXPECT_FALSE(hits[0].reverse_complement);
      EXPECT_EQ(hits[0].overlap, static_cast<int>(queries[q].length()));
      EXPECT_LT(hits[0].q_value, 0.05);
      EXPECT_NEAR(hits[0].e_value, hits[0].p_value * 60, hits[0].e_value * 1e-6);
    }
  }
}

TEST(TomtomTest, ReverseComplementMatchesOnTheOtherStrand) {
  const auto db_motifs = random_motifs(60, 11);
  const TomtomDatabase db(db_motifs, TomtomOptions{});
  const Motif rc = reverse_complement(db_motifs[17]);
  const auto hits = compare_motifs({rc}, db);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].target, 17u);
  EXPECT_TRUE(hits[0].reverse_complement);
  EXPECT_EQ(hits[0].offset, 0);
  // Forward strand only: the target as given no longer matches the reversed query best.
  TomtomOptions forward;
  forward.both_strands = false;
  for (const auto& m : compare_motifs({rc}, TomtomDatabase(db_motifs, forward))) {
    EXPECT_FALSE(m.reverse_complement);
    EXPECT_FALSE(m.target == 17u && m.offset == 0 && m.q_value < 0.01);
  }
}

TEST(TomtomTest, UniformMotifMatchesNothing) {
  const auto db_motifs = random_motifs(60, 3);
  TomtomOptions options;
  options.threshold = 10;
  options.threshold_on_evalue = true;
  EXPECT_TRUE(compare_motifs({uniform_motif(10)}, db_motifs, options).empty());
}

TEST(TomtomTest, ResultsDoNotDependOnThreadsAndRespectMinOverlap) {
  const auto db_motifs = random_motifs(80, 5);
  const std::vector<Motif> queries(db_motifs.begin(), db_motifs.begin() + 12);
  TomtomOptions options;
  options.min_overlap = 8;
  options.threshold = 1;
  options.threads = 1;
  const auto one = compare_motifs(queries, db_motifs, options);
  options.threads = 3;
  const auto three = compare_motifs(queries, db_motifs, options);
  ASSERT_EQ(one.size(), three.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].target, three[i].target);
    EXPECT_EQ(one[i].p_value, three[i].p_value);
    EXPECT_EQ(one[i].q_value, three[i].q_value);
    const int shortest = static_cast<int>(
        std::min(queries[one[i].query].length(), db_motifs[one[i].target].length()));
    EXPECT_GE(one[i].overlap, std::min(8, shortest));
  }
}

TEST(TomtomTest, IncompleteScoresRankTheMotifItselfFirst) {
  const auto db_motifs = random_motifs(60, 13);
  TomtomOptions options;
  options.incomplete_scores = true;
  const auto hits = compare_motifs({db_motifs[5]}, db_motifs, options);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].target, 5u);
  EXPECT_EQ(hits[0].offset, 0);
  for (const auto& m : hits) {
    EXPECT_GT(m.p_value, 0);
    EXPECT_LE(m.p_value, 1);
    EXPECT_NEAR(m.e_value, m.p_value * 60, 1e-12 + m.e_value * 1e-12);
  }
}

TEST(TomtomTest, FormatsMemeStyleRows) {
  const auto db_motifs = random_motifs(60, 7);
  const TomtomDatabase db(db_motifs, TomtomOptions{});
  const std::vector<Motif> queries{db_motifs[3]};
  const auto matches = compare_motifs(queries, db);
  const std::string tsv = format_tomtom_tsv(queries, db, matches, "9.9", "helix tomtom --x");
  std::istringstream in(tsv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\t"
            "Query_consensus\tTarget_consensus\tOrientation");
  std::getline(in, line);
  char p[32];
  std::snprintf(p, sizeof p, "%g", static_cast<double>(static_cast<float>(matches[0].p_value)));
  const std::string consensus = tomtom_consensus(db_motifs[3], TomtomOptions{});
  EXPECT_EQ(line.rfind("R3\tR3\t0\t" + std::string(p) + "\t", 0), 0u) << line;
  EXPECT_NE(line.find("\t" + consensus + "\t" + consensus + "\t+"), std::string::npos) << line;
  EXPECT_NE(tsv.find("\n\n# helix 9.9 tomtom"), std::string::npos);
  EXPECT_NE(tsv.find("\n# helix tomtom --x\n"), std::string::npos);
}

std::string as_meme_prints(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", static_cast<double>(static_cast<float>(v)));
  return buffer;
}

// Consensus letters agree except where two bases are exactly equally likely: MEME's pick there
// depends on single-precision rounding of its unnormalised input rows.
void expect_same_consensus(const Motif& motif, const std::string& mine, const std::string& meme,
                           const std::string& where) {
  ASSERT_EQ(mine.size(), meme.size()) << where;
  for (size_t i = 0; i < mine.size(); ++i) {
    if (mine[i] == meme[i]) continue;
    const auto& p = motif.probabilities[i];
    EXPECT_NEAR(p[std::string("ACGT").find(mine[i])], p[std::string("ACGT").find(meme[i])], 1e-6)
        << where << ": consensus " << mine << " vs MEME's " << meme << " at " << i;
  }
}

// MEME 4.12's tomtom (-no-ssc -min-overlap 5 -dist pearson -evalue -thresh 10) on 53 queries
// against the 838 JASPAR 2022 motifs: the same rows in the same order, and the same printed
// p-, E- and q-values (six significant digits; in fact the same single-precision values).
TEST(TomtomTest, AgreesWithMeme412OnJaspar) {
  if (!fs::exists(kGolden + "/queries_vs_jaspar.tsv")) GTEST_SKIP() << "no " << kGolden;
  const auto queries = io::read_motifs(kGolden + "/queries.meme");
  const auto targets = io::read_motifs(kJasparMeme);
  ASSERT_EQ(queries.size(), 53u);
  ASSERT_EQ(targets.size(), 838u);
  TomtomOptions options;
  options.min_overlap = 5;
  options.threshold = 10;
  options.threshold_on_evalue = true;
  const TomtomDatabase db(targets, options);
  const auto matches = compare_motifs(queries, db);

  // The golden rows, grouped by query in file order.
  std::vector<std::string> query_ids;
  {
    std::ifstream in(kGolden + "/queries.meme");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("MOTIF ", 0) == 0) query_ids.push_back(line.substr(6));
    }
  }
  std::map<std::string, std::vector<std::vector<std::string>>> golden;
  std::ifstream in(kGolden + "/queries_vs_jaspar.tsv");
  std::string line;
  size_t golden_rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
    ASSERT_EQ(f.size(), 10u) << line;
    golden[f[0]].push_back(f);
    ++golden_rows;
  }
  ASSERT_EQ(matches.size(), golden_rows);
  EXPECT_TRUE(golden["uniform_w10"].empty());

  size_t row = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    const auto& expected = golden[query_ids[q]];
    const auto got = matches_of(matches, q);
    ASSERT_EQ(got.size(), expected.size()) << query_ids[q];
    for (size_t k = 0; k < got.size(); ++k, ++row) {
      const auto& e = expected[k];
      const auto& m = got[k];
      const std::string where = query_ids[q] + " rank " + std::to_string(k + 1);
      EXPECT_EQ(db.target(m.target).id, e[1]) << where;  // MEME ids are kept whole
      EXPECT_EQ(std::to_string(m.offset), e[2]) << where;
      EXPECT_EQ(as_meme_prints(m.p_value), e[3]) << where;
      EXPECT_EQ(as_meme_prints(m.e_value), e[4]) << where;
      EXPECT_EQ(as_meme_prints(m.q_value), e[5]) << where;
      EXPECT_EQ(std::to_string(m.overlap), e[6]) << where;
      EXPECT_EQ(m.reverse_complement ? "-" : "+", e[9]) << where;
      expect_same_consensus(queries[q], tomtom_consensus(queries[q], options), e[7], where);
      const Motif target =
          m.reverse_complement ? reverse_complement(db.target(m.target)) : db.target(m.target);
      expect_same_consensus(target, db.entry(m.target, m.reverse_complement).consensus, e[8],
                            where);
    }
  }
  EXPECT_EQ(row, golden_rows);
}

TEST(TomtomTest, CtcfFamilyMatchesEachOther) {
  if (!fs::exists(kJasparMeme)) GTEST_SKIP() << "no " << kJasparMeme;
  const auto targets = io::read_motifs(kJasparMeme);
  const TomtomDatabase db(targets, TomtomOptions{});
  // The MEME file names them MA0139.1_MA0139.1.CTCF etc.: the JASPAR id is the first part.
  auto short_id = [](const std::string& id) { return id.substr(0, id.find('_')); };
  std::vector<Motif> ctcf;
  for (const auto& id : {"MA0139.1", "MA2025.1", "MA2026.1"}) {
    for (const auto& t : targets) {
      if (short_id(t.id) == id) ctcf.push_back(t);
    }
  }
  ASSERT_EQ(ctcf.size(), 3u);
  const auto matches = compare_motifs(ctcf, db);
  for (size_t q = 0; q < ctcf.size(); ++q) {
    std::map<std::string, TomtomMatch> by_id;
    for (const auto& m : matches_of(matches, q)) by_id[short_id(db.target(m.target).id)] = m;
    for (const auto& other : ctcf) {
      ASSERT_TRUE(by_id.count(short_id(other.id))) << ctcf[q].id << " vs " << other.id;
      // All share the 19-column core (q < 1e-15 with it); the two long ones differ in their
      // upstream module, which leaves them at q ~ 1e-3 with each other.
      const bool with_core = short_id(ctcf[q].id) == "MA0139.1" || short_id(other.id) == "MA0139.1";
      EXPECT_LT(by_id[short_id(other.id)].q_value, with_core ? 1e-15 : 0.01)
          << ctcf[q].id << " vs " << other.id;
      EXPECT_FALSE(by_id[short_id(other.id)].reverse_complement);
    }
  }
  // MA0139.1 (19 columns) sits at the 3' end of the 34- and 35-column MA2025.1 and MA2026.1.
  std::map<std::string, int> offset;
  for (const auto& m : matches_of(matches, 0)) offset[short_id(db.target(m.target).id)] = m.offset;
  EXPECT_EQ(offset["MA2025.1"], 15);
  EXPECT_EQ(offset["MA2026.1"], 16);
}

TEST(TomtomTest, ReadsThePwmEnrichJasparSet) {
  const std::string path = std::string(HELIX_SOURCE_DIR) + "/data/motifs/pfm_vertebrates.txt";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path << " (scripts/fetch-data.sh)";
  const auto motifs = io::read_motifs(path);
  ASSERT_EQ(motifs.size(), 205u);
  EXPECT_EQ(motifs[0].id, "MA0004.1");
  EXPECT_EQ(motifs[0].name, "Arnt");
  ASSERT_EQ(motifs[0].length(), 6u);
  EXPECT_DOUBLE_EQ(motifs[0].sites, 20.0);
  EXPECT_DOUBLE_EQ(motifs[0].probabilities[0][1], 16.0 / 20);  // column 1: A 4, C 16
  // Arnt's CACGTG finds itself among the 205.
  const auto hits = compare_motifs({motifs[0]}, motifs, TomtomOptions{});
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].target, 0u);
}

}  // namespace
}  // namespace helix::motif
