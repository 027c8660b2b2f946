#include "helix/eval/kmer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

// Column of a k-mer under the documented ordering (A=0, C=1, G=2, T=3, first letter most
// significant), computed independently of the implementation.
int64_t column(const std::string& kmer) {
  int64_t out = 0;
  for (char c : kmer) out = out * 4 + std::string("ACGT").find(c);
  return out;
}

TEST(KmerCounts, HandCountsDinucleotides) {
  const at::Tensor raw = kmer_counts({"ACGTN"}, 2, /*normalise=*/false);
  ASSERT_EQ(raw.sizes(), (at::IntArrayRef{1, 16}));
  EXPECT_EQ(raw.scalar_type(), at::kFloat);
  at::Tensor expected = at::zeros({1, 16}, at::kFloat);
  expected[0][column("AC")] = 1;  // column 1
  expected[0][column("CG")] = 1;  // column 6
  expected[0][column("GT")] = 1;  // column 11
  EXPECT_TRUE(at::equal(raw, expected));
  EXPECT_EQ(column("AC"), 1);
  EXPECT_EQ(column("CG"), 6);
  EXPECT_EQ(column("GT"), 11);

  const at::Tensor norm = kmer_counts({"ACGTN"}, 2);
  EXPECT_TRUE(at::allclose(norm, expected / 3.0));
}

TEST(KmerCounts, OverlappingRepeats) {
  const at::Tensor raw = kmer_counts({"AAAA", "TTTTT"}, 3, false);
  EXPECT_EQ(raw[0][0].item<float>(), 2.0f);  // AAA twice
  EXPECT_EQ(raw[0].sum().item<float>(), 2.0f);
  EXPECT_EQ(raw[1][63].item<float>(), 3.0f);  // TTT three times
  EXPECT_EQ(raw[1].sum().item<float>(), 3.0f);
}

TEST(KmerCounts, LowercaseAndUracil) {
  const at::Tensor upper = kmer_counts({"ACGTTGCA"}, 3, false);
  EXPECT_TRUE(at::equal(kmer_counts({"acgttgca"}, 3, false), upper));
  EXPECT_TRUE(at::equal(kmer_counts({"ACGUUGCA"}, 3, false), upper));
  EXPECT_TRUE(at::equal(kmer_counts({"aCgUuGcA"}, 3, false), upper));
}

TEST(KmerCounts, MononucleotideFrequencies) {
  const at::Tensor f = kmer_counts({"AACG", "TTTT"}, 1);
  const at::Tensor expected =
      at::tensor({0.5f, 0.25f, 0.25f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f}, at::kFloat).reshape({2, 4});
  EXPECT_TRUE(at::equal(f, expected));
}

TEST(KmerCounts, SkipsKmersWithOtherCharacters) {
  // N breaks the run: AC and GT only, not CN or NG.
  const at::Tensor raw = kmer_counts({"ACNGT"}, 2, false);
  EXPECT_EQ(raw.sum().item<float>(), 2.0f);
  EXPECT_EQ(raw[0][column("AC")].item<float>(), 1.0f);
  EXPECT_EQ(raw[0][column("GT")].item<float>(), 1.0f);
  // Normalised by valid k-mers only (2), not by all windows (4).
  EXPECT_TRUE(at::allclose(kmer_counts({"ACNGT"}, 2), raw / 2.0));
  // Other IUPAC codes and gaps are skipped the same way.
  EXPECT_EQ(kmer_counts({"ACRGT-AC"}, 2, false).sum().item<float>(), 3.0f);
}

TEST(KmerCounts, ShortAndEmptyRowsStayZero) {
  const at::Tensor f = kmer_counts({"AC", "", "NNNN"}, 3);
  EXPECT_EQ(f.sizes(), (at::IntArrayRef{3, 64}));
  EXPECT_EQ(f.abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(kmer_counts({}, 2).sizes(), (at::IntArrayRef{0, 16}));
}

TEST(KmerCounts, RowsSumToOneWhenNormalised) {
  const at::Tensor f = kmer_counts({"ACGTACGGTTACNACGT", "GGGCCCAAATTT"}, 4);
  EXPECT_EQ(f.size(1), 256);
  EXPECT_TRUE(at::allclose(f.sum(1), at::ones({2}, at::kFloat)));
}

TEST(KmerCounts, LargestKAndOrdering) {
  const at::Tensor f = kmer_counts({"TTTTTTTT", "AAAAAAAC"}, 8, false);
  EXPECT_EQ(f.size(1), 65536);
  EXPECT_EQ(f[0][65535].item<float>(), 1.0f);
  EXPECT_EQ(f[1][1].item<float>(), 1.0f);
  for (int64_t i : {int64_t{0}, int64_t{1}, int64_t{27}, int64_t{255}}) {
    EXPECT_EQ(column(kmer_string(i, 4)), i);
  }
  EXPECT_EQ(kmer_string(6, 2), "CG");
}

TEST(KmerCounts, InvalidKThrows) {
  EXPECT_THROW(kmer_counts({"ACGT"}, 0), UsageError);
  EXPECT_THROW(kmer_counts({"ACGT"}, -1), UsageError);
  EXPECT_THROW(kmer_counts({"ACGT"}, 9), UsageError);
  EXPECT_THROW(kmer_string(16, 2), UsageError);
  EXPECT_THROW(kmer_string(0, 9), UsageError);
}

}  // namespace
}  // namespace helix::eval
