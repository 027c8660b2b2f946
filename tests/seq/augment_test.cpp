#include "helix/seq/augment.hpp"

#include <gtest/gtest.h>

namespace helix::seq {
namespace {

std::vector<int8_t> ramp(int n) {
  std::vector<int8_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<int8_t>(i % 100);
  return v;
}

TEST(Augment, TranslocationIsACyclicRoll) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto v = ramp(64);
    std::mt19937_64 rng(seed);
    const int64_t shift = random_translocation(v, 20, rng);
    EXPECT_LE(std::abs(shift), 20);
    const int64_t k = ((shift % 64) + 64) % 64;
    for (int t = 0; t < 64; ++t) EXPECT_EQ(v[t], (t - k + 64) % 64);
  }
}

TEST(Augment, DeletionAndInsertionKeepLengthAndOrder) {
  const auto a = Alphabet::from_name("acgt");
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::mt19937_64 rng(seed);
    auto v = ramp(80);
    for (auto& x : v) x = static_cast<int8_t>(x + 10);  // distinguishable from random bases 0..3
    random_deletion(v, 20, a, rng);
    ASSERT_EQ(v.size(), 80u);
    // Surviving original positions appear in increasing order, at most 20 missing.
    std::vector<int> kept;
    for (auto x : v) {
      if (x >= 10) kept.push_back(x - 10);
    }
    EXPECT_GE(kept.size(), 60u);
    EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
    auto w = ramp(80);
    for (auto& x : w) x = static_cast<int8_t>(x + 10);
    random_insertion(w, 20, a, rng);
    ASSERT_EQ(w.size(), 80u);
    kept.clear();
    for (auto x : w) {
      if (x >= 10) kept.push_back(x - 10);
    }
    EXPECT_GE(kept.size(), 60u);
    EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  }
}

TEST(Augment, ZeroRangesAreIdentity) {
  const auto a = Alphabet::from_name("acgt");
  std::mt19937_64 rng(1);
  auto v = ramp(30);
  const auto original = v;
  random_deletion(v, 0, a, rng);
  random_insertion(v, 0, a, rng);
  random_translocation(v, 0, rng);
  EXPECT_EQ(v, original);
}

}  // namespace
}  // namespace helix::seq
