#include "helix/data/prefetcher.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

namespace helix::data {
namespace {

uint64_t draw(int64_t index) {
  std::mt19937_64 rng(item_seed(42, 1, static_cast<uint64_t>(index)));
  return rng();
}

TEST(OrderedPrefetcher, SameSequenceForAnyWorkerCountAndStart) {
  std::vector<uint64_t> one, four;
  {
    OrderedPrefetcher<uint64_t> p([](int64_t i, int) { return draw(i); }, 1, 2);
    for (int i = 0; i < 50; ++i) one.push_back(p.next());
  }
  {
    OrderedPrefetcher<uint64_t> p([](int64_t i, int) { return draw(i); }, 4, 8);
    for (int i = 0; i < 50; ++i) four.push_back(p.next());
  }
  EXPECT_EQ(one, four);
  OrderedPrefetcher<uint64_t> resumed([](int64_t i, int) { return draw(i); }, 3, 4, 20);
  for (int i = 20; i < 50; ++i) EXPECT_EQ(resumed.next(), one[i]);
}

TEST(OrderedPrefetcher, RethrowsErrorsInOrder) {
  OrderedPrefetcher<int> p(
      [](int64_t i, int) {
        if (i == 3) throw std::runtime_error("bad item 3");
        return static_cast<int>(i);
      },
      2, 4);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p.next(), i);
  EXPECT_THROW(p.next(), std::runtime_error);
}

TEST(ItemSeed, DistinctStreamsAndIndices) {
  EXPECT_NE(item_seed(1, 1, 0), item_seed(1, 2, 0));
  EXPECT_NE(item_seed(1, 1, 0), item_seed(1, 1, 1));
  EXPECT_NE(item_seed(1, 1, 0), item_seed(2, 1, 0));
  EXPECT_EQ(item_seed(9, 3, 7), item_seed(9, 3, 7));
}

}  // namespace
}  // namespace helix::data
