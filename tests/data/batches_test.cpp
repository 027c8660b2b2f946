#include "helix/data/batches.hpp"

#include <gtest/gtest.h>

#include <set>

#include "helix/util/error.hpp"

namespace helix::data {
namespace {

TEST(Batches, UnshuffledBatchesAreSortedByLengthAndCoverEveryIndexOnce) {
  const std::vector<int64_t> lengths = {5, 3, 9, 3, 7, 1, 5};
  const auto batches = length_grouped_batches(lengths, 3, false, 0);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0], (std::vector<int64_t>{5, 1, 3}));  // lengths 1, 3, 3 (stable)
  EXPECT_EQ(batches[1], (std::vector<int64_t>{0, 6, 4}));  // 5, 5, 7
  EXPECT_EQ(batches[2], (std::vector<int64_t>{2}));
}

TEST(Batches, ShuffledBatchesAreAPermutationDeterministicPerSeed) {
  std::vector<int64_t> lengths(1000);
  for (size_t i = 0; i < lengths.size(); ++i) lengths[i] = 10 + static_cast<int64_t>(i * 7919 % 50);
  const auto a = length_grouped_batches(lengths, 8, true, 1);
  const auto b = length_grouped_batches(lengths, 8, true, 1);
  const auto c = length_grouped_batches(lengths, 8, true, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.size(), 125u);  // ceil(N / batch_size), which finetune relies on
  std::multiset<int64_t> seen;
  int64_t padding = 0;
  for (const auto& batch : a) {
    EXPECT_LE(batch.size(), 8u);
    int64_t longest = 0;
    for (auto i : batch) longest = std::max(longest, lengths[i]);
    for (auto i : batch) {
      seen.insert(i);
      padding += longest - lengths[i];
    }
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 1000u);
  // Sorting within chunks of 400 keeps padding far below that of random batches (~15 per row).
  EXPECT_LT(static_cast<double>(padding) / 1000, 2.0);
  EXPECT_THROW(length_grouped_batches(lengths, 0, false, 0), UsageError);
}

TEST(Batches, OneHotBatchPadsWithZeroRowsAndKeepsLengths) {
  const auto alphabet = seq::Alphabet::from_name("acgt");
  const std::vector<std::string> seqs = {"ACGT", "GN", "TTTTTT"};
  const auto batch = one_hot_batch(seqs, {1, 0}, alphabet);
  EXPECT_EQ(batch.x.sizes(), (at::IntArrayRef{2, 4, 4}));
  EXPECT_EQ(batch.lengths[0].item<int64_t>(), 2);
  EXPECT_EQ(batch.lengths[1].item<int64_t>(), 4);
  // "GN" + padding: G in channel 2 at position 0, then three all-zero columns.
  EXPECT_EQ(batch.x[0].sum().item<float>(), 1.0f);
  EXPECT_EQ(batch.x[0][2][0].item<float>(), 1.0f);
  // "ACGT": the identity.
  EXPECT_TRUE(batch.x[1].equal(at::eye(4, at::kFloat)));
}

}  // namespace
}  // namespace helix::data
