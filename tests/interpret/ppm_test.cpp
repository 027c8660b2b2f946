#include "helix/interpret/ppm.hpp"

#include <gtest/gtest.h>

namespace helix::interpret {
namespace {

TEST(Ppm, ActivationWeightingMatchesAHandComputedThreeBinExample) {
  // Max activation 3, bins (0,1], (1,2], (2,3]. Bin 3 holds "A" (a = 3) and "C" (a = 2.5): mean
  // 2.75, frequencies A 0.5 C 0.5. Bin 2 is empty: it reuses bin 3's frequencies with the
  // midpoint 1.5 as weight. Bin 1 holds "G" (a = 0.5) and "G" (a = 1): mean 0.75, G 1.
  SampleSet s;
  s.length = 1;
  for (const auto& [base, a] : std::vector<std::pair<uint8_t, float>>{
           {0, 3.0f}, {1, 2.5f}, {2, 0.5f}, {2, 1.0f}, {3, -1.0f}}) {
    s.append(&base, a);
  }
  const auto ppm = weighted_ppm(s, {0, 1, 2, 3, 4}, 3);
  ASSERT_EQ(ppm.size(), 1u);
  const double a = 2.75 * 0.5 + 1.5 * 0.5, c = a, g = 0.75, total = a + c + g;
  EXPECT_NEAR(ppm[0][0], a / total, 1e-12);
  EXPECT_NEAR(ppm[0][1], c / total, 1e-12);
  EXPECT_NEAR(ppm[0][2], g / total, 1e-12);
  EXPECT_NEAR(ppm[0][3], 0.0, 1e-12);
}

TEST(Ppm, InformationConsensusAndCorrelation) {
  EXPECT_NEAR(information_bits({0.25, 0.25, 0.25, 0.25}), 0.0, 1e-12);
  EXPECT_NEAR(information_bits({1, 0, 0, 0}), 2.0, 1e-12);
  const Matrix m = {{0.1, 0.7, 0.1, 0.1}, {0, 0, 0, 1}};
  EXPECT_EQ(consensus_string(m), "CT");
  EXPECT_NEAR(matrix_correlation(m, m), 1.0, 1e-12);
  const auto smoothed = smooth({{1, 0, 0, 0}}, 4, 4);  // (4 + 1) / 8 and 1 / 8
  EXPECT_NEAR(smoothed[0][0], 5.0 / 8, 1e-12);
  EXPECT_NEAR(smoothed[0][1], 1.0 / 8, 1e-12);
}

TEST(Ppm, SegmentsCutTheInformativeRuns) {
  // 30 positions: uniform except a 6-bp one-hot core at 12..17.
  Matrix m(30, {0.25, 0.25, 0.25, 0.25});
  for (int p = 12; p < 18; ++p) m[size_t(p)] = {0, 0, 1, 0};
  SegmentOptions o;
  const auto annotation = annotation_segments(m, 1000, o);
  ASSERT_EQ(annotation.size(), 1u);
  EXPECT_EQ(annotation[0].start, 10);  // padded by 2 per side
  EXPECT_EQ(annotation[0].end, 20);
  const auto dictionary = dictionary_segments(m, 1000, o);
  ASSERT_EQ(dictionary.size(), 1u);
  EXPECT_LE(dictionary[0].start, 12);
  EXPECT_GE(dictionary[0].end, 18);
  EXPECT_TRUE(annotation_segments(Matrix(30, {0.25, 0.25, 0.25, 0.25}), 1000, o).empty());
}

}  // namespace
}  // namespace helix::interpret
