#include "helix/data/genome_windows.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "helix/util/error.hpp"

namespace helix::data {
namespace {
namespace fs = std::filesystem;

// Writes a FASTA with sequences of the given lengths; `gaps` puts N runs at [start, end).
std::string write_genome(
    const std::string& name, const std::vector<std::pair<std::string, int64_t>>& sequences,
    const std::map<std::string, std::vector<std::pair<int64_t, int64_t>>>& gaps = {}) {
  const auto dir = fs::temp_directory_path() / "helix_windows_test";
  fs::create_directories(dir);
  const auto path = dir / name;
  fs::remove(path.string() + ".fai");
  std::ofstream out(path);
  std::mt19937_64 rng(1);
  for (const auto& [chrom, length] : sequences) {
    std::string s(length, 'A');
    for (auto& c : s) c = "ACGT"[rng() % 4];
    auto it = gaps.find(chrom);
    if (it != gaps.end()) {
      for (auto [a, b] : it->second) std::fill(s.begin() + a, s.begin() + b, 'N');
    }
    out << ">" << chrom << "\n";
    for (int64_t i = 0; i < length; i += 60) out << s.substr(i, 60) << "\n";
  }
  return path.string();
}

TEST(ParseRegions, SamtoolsStyleAndNames) {
  auto r = parse_regions("chr1:1-100,chr2:1001-2000,chrM");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].chrom, "chr1");
  EXPECT_EQ(r[0].start, 0);
  EXPECT_EQ(r[0].end, 100);
  EXPECT_EQ(r[1].start, 1000);
  EXPECT_EQ(r[1].end, 2000);
  EXPECT_EQ(r[2].chrom, "chrM");
  EXPECT_TRUE(parse_regions("").empty());
  EXPECT_THROW(parse_regions("chr1:5-2"), UsageError);
  EXPECT_THROW(parse_regions("chr1:x-2"), UsageError);
}

TEST(GenomeWindows, ChromosomesWeightedByUsableLength) {
  // chrA has 30 kb, half of it a gap; chrB 10 kb; chrC 5 kb: usable starts ~ 15k : 10k : 5k.
  const auto path = write_genome("weights.fa", {{"chrA", 30000}, {"chrB", 10000}, {"chrC", 5000}},
                                 {{"chrA", {{5000, 20000}}}});
  auto genome = io::open_genome(path);
  WindowOptions o;
  o.window = 100;
  GenomeWindows windows(*genome, o, Split::kTrain);
  std::map<std::string, int> counts;
  std::mt19937_64 rng(5);
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto w = windows.sample(*genome, rng);
    ASSERT_EQ(w.sequence.size(), 100u);
    ASSERT_EQ(w.sequence.find('N'), std::string::npos);
    ++counts[w.chrom];
  }
  const double total = (15000 - 2 * 99) + (10000 - 99) + (5000 - 99);
  EXPECT_NEAR(counts["chrA"] / double(n), (15000 - 2 * 99) / total, 0.015);
  EXPECT_NEAR(counts["chrB"] / double(n), (10000 - 99) / total, 0.015);
  EXPECT_NEAR(counts["chrC"] / double(n), (5000 - 99) / total, 0.015);
}

TEST(GenomeWindows, OriginalUniformChromosomeWeighting) {
  // Bug B7 reproduced on request: each chromosome equally likely whatever its length.
  const auto path = write_genome("uniform.fa", {{"big", 40000}, {"mid", 10000}, {"small", 2000}});
  auto genome = io::open_genome(path);
  WindowOptions o;
  o.window = 100;
  o.uniform_chromosomes = true;
  GenomeWindows windows(*genome, o, Split::kTrain);
  std::map<std::string, int> counts;
  std::mt19937_64 rng(8);
  for (int i = 0; i < 9000; ++i) ++counts[windows.sample(*genome, rng).chrom];
  for (const auto& name : {"big", "mid", "small"})
    EXPECT_NEAR(counts[name] / 9000.0, 1.0 / 3, 0.02) << name;
}

TEST(GenomeWindows, HoldoutIsExcludedFromTrainingAndIsTheValidationSet) {
  const auto path = write_genome("holdout.fa", {{"c1", 20000}, {"c2", 8000}});
  auto genome = io::open_genome(path);
  WindowOptions o;
  o.window = 200;
  o.holdout = "c1:10001-14000";
  GenomeWindows train(*genome, o, Split::kTrain);
  GenomeWindows val(*genome, o, Split::kValidation);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 3000; ++i) {
    auto w = train.sample(*genome, rng);
    if (w.chrom == "c1") EXPECT_TRUE(w.start + 200 <= 10000 || w.start >= 14000) << w.start;
    auto v = val.sample(*genome, rng);
    EXPECT_EQ(v.chrom, "c1");
    EXPECT_GE(v.start, 10000);
    EXPECT_LE(v.start + 200, 14000);
  }
  EXPECT_EQ(val.num_starts(), 4000 - 200 + 1);
}

TEST(GenomeWindows, RestrictionAndDeterminism) {
  const auto path = write_genome("restrict.fa", {{"x", 5000}, {"y", 5000}});
  auto genome = io::open_genome(path);
  WindowOptions o;
  o.window = 50;
  o.chromosomes = {"y"};
  GenomeWindows windows(*genome, o, Split::kTrain);
  std::mt19937_64 a(11), b(11);
  for (int i = 0; i < 200; ++i) {
    auto w1 = windows.sample(*genome, a);
    auto w2 = windows.sample(*genome, b);
    EXPECT_EQ(w1.chrom, "y");
    EXPECT_EQ(w1.start, w2.start);
    EXPECT_EQ(w1.sequence, w2.sequence);
  }
  o.chromosomes = {"z"};
  EXPECT_THROW(GenomeWindows(*genome, o, Split::kTrain), InputError);
}

TEST(GenomeWindows, ShortNRunsAreFilteredByFraction) {
  // N runs shorter than min_gap stay in the intervals; windows with too many N are redrawn.
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t s = 100; s < 9900; s += 200) runs.push_back({s, s + 20});
  const auto path = write_genome("shortn.fa", {{"s", 10000}}, {{"s", runs}});
  auto genome = io::open_genome(path);
  WindowOptions o;
  o.window = 100;
  o.max_n_fraction = 0.05;
  GenomeWindows windows(*genome, o, Split::kTrain);
  std::mt19937_64 rng(2);
  for (int i = 0; i < 500; ++i) {
    auto w = windows.sample(*genome, rng);
    EXPECT_LE(std::count(w.sequence.begin(), w.sequence.end(), 'N'), 5);
  }
}

TEST(GenomeWindows, NoUsableWindowNamesTheFile) {
  const auto path = write_genome("short.fa", {{"a", 80}, {"b", 90}});
  auto genome = io::open_genome(path);
  WindowOptions o;
  o.window = 100;
  try {
    GenomeWindows windows(*genome, o, Split::kTrain);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find("no usable window"), std::string::npos);
  }
}

}  // namespace
}  // namespace helix::data
