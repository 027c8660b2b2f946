#include "helix/seq/mask.hpp"

#include <gtest/gtest.h>

#include <array>

#include "helix/seq/alphabet.hpp"

namespace helix::seq {
namespace {

TEST(Mask, StatisticsOverAMillionPositions) {
  constexpr int64_t kN = 1000000;
  const auto a = Alphabet::from_name("acgtn");
  // A constant sequence makes 'unchanged' and 'random' distinguishable: a random draw equal to
  // the original symbol (1 in 5) is counted as 'unchanged' and corrected for below.
  std::vector<int8_t> codes(kN, a.code('A'));
  std::vector<uint8_t> selected(kN);
  std::mt19937_64 rng(7);
  apply_mask(codes.data(), selected.data(), kN, 5, MaskOptions{}, rng);
  int64_t n_selected = 0, zero = 0, kept = 0;
  std::array<int64_t, 5> replaced{};
  for (int64_t i = 0; i < kN; ++i) {
    if (!selected[i]) {
      ASSERT_EQ(codes[i], a.code('A'));
      continue;
    }
    ++n_selected;
    if (codes[i] == kZeroRow) {
      ++zero;
    } else {
      ++replaced[codes[i]];
    }
  }
  kept = replaced[a.code('A')];
  const double sel = static_cast<double>(n_selected);
  EXPECT_NEAR(n_selected / static_cast<double>(kN), 0.30, 0.005);
  EXPECT_NEAR(zero / sel, 0.80, 0.01);
  // Random replacements are uniform over 5 symbols: each non-A symbol gets 0.1/5 of selections.
  int64_t random_total = 0;
  for (int c = 0; c < 5; ++c) {
    if (c == a.code('A')) continue;
    EXPECT_NEAR(replaced[c] / sel, 0.02, 0.002) << c;
    random_total += replaced[c];
  }
  const double random_share = random_total / sel * 5.0 / 4.0;  // add back draws that hit 'A'
  EXPECT_NEAR(random_share, 0.10, 0.01);
  EXPECT_NEAR(kept / sel - random_share / 5.0, 0.10, 0.01);
}

TEST(Mask, DeterministicForASeed) {
  std::vector<int8_t> a(500, 1), b(500, 1);
  std::vector<uint8_t> sa(500), sb(500);
  std::mt19937_64 r1(3), r2(3);
  apply_mask(a.data(), sa.data(), 500, 4, MaskOptions{}, r1);
  apply_mask(b.data(), sb.data(), 500, 4, MaskOptions{}, r2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(sa, sb);
}

}  // namespace
}  // namespace helix::seq
