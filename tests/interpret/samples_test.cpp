#include "helix/interpret/samples.hpp"

#include <gtest/gtest.h>

#include "../temp_dir.hpp"
#include "helix/util/error.hpp"

namespace helix::interpret {
namespace {

SampleSet make(const std::vector<std::string>& sequences, const std::vector<float>& a) {
  SampleSet s;
  s.length = static_cast<int64_t>(sequences[0].size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    std::vector<uint8_t> bases;
    for (const char c : sequences[i]) bases.push_back(uint8_t(std::string("ACGT").find(c)));
    s.append(bases.data(), a[i]);
  }
  return s;
}

TEST(Samples, DeduplicateKeepsFirstOccurrences) {
  auto s = make({"ACG", "TTT", "ACG", "GGA", "TTT"}, {1, 2, 3, 4, 5});
  deduplicate(s);
  ASSERT_EQ(s.size(), 3);
  EXPECT_EQ(sequence_string(s, 0), "ACG");
  EXPECT_EQ(sequence_string(s, 2), "GGA");
  EXPECT_EQ(s.activation, (std::vector<float>{1, 2, 4}));
}

TEST(Samples, StratifiedSubsampleKeepsAtMostCapOverBinsPerBin) {
  SampleSet s;
  s.length = 2;
  std::mt19937_64 rng(3);
  const uint8_t bases[2] = {0, 1};
  for (int i = 0; i < 900; ++i) s.append(bases, 0.05f);  // all in the lowest of 10 bins
  for (int i = 0; i < 20; ++i) s.append(bases, 0.95f);   // rare high activations
  s.append(bases, -1.0f);
  stratified_subsample(s, 100, 10, rng);
  int64_t low = 0, high = 0;
  for (const auto a : s.activation) (a < 0.5f ? low : high) += 1;
  EXPECT_EQ(low, 10);   // cap / bins
  EXPECT_EQ(high, 10);  // 20 in the top bin, 10 kept
}

TEST(Samples, FileRoundTripAndCorruptFile) {
  test::TempDir dir;
  auto s = make({"ACGT", "TTGA"}, {0.5f, 2.25f});
  save_samples((dir.path() / "s.bin").string(), s);
  const auto back = load_samples((dir.path() / "s.bin").string());
  EXPECT_EQ(back.bases, s.bases);
  EXPECT_EQ(back.activation, s.activation);
  dir.write("bad.bin", "HXSAMP01 not really");
  EXPECT_THROW(load_samples((dir.path() / "bad.bin").string()), InputError);
}

}  // namespace
}  // namespace helix::interpret
