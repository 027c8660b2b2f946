#include "helix/seq/rna_tracks.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <vector>

#include "helix/util/error.hpp"

namespace helix::seq {
namespace {

using Positions = std::vector<int64_t>;

Positions ones(const at::Tensor& row) {
  Positions out;
  auto a = row.accessor<float, 1>();
  for (int64_t i = 0; i < row.size(0); ++i) {
    if (a[i] != 0.0f) out.push_back(i);
  }
  return out;
}

RnaTrackOptions junctions_only() {
  RnaTrackOptions options;
  options.mark_transcript_end = false;
  return options;
}

TEST(RnaTracks, CodonPositions) {
  EXPECT_EQ(codon_track_positions(1, 7), (Positions{1, 4}));
  EXPECT_EQ(codon_track_positions(0, 9), (Positions{0, 3, 6}));
  EXPECT_EQ(codon_track_positions(2, 10), (Positions{2, 5, 8}));  // a partial last codon counts
  EXPECT_EQ(codon_track_positions(4, 4), Positions{});
  EXPECT_EQ(codon_track_positions(-1, -1), Positions{});  // non-coding
}

TEST(RnaTracks, SplicePositions) {
  EXPECT_EQ(splice_track_positions({4, 5}, {}), (Positions{3, 8}));
  EXPECT_EQ(splice_track_positions({4, 5}, junctions_only()), (Positions{3}));
  EXPECT_EQ(splice_track_positions({1, 1, 3}, {}), (Positions{0, 1, 4}));
  // A single-exon transcript has exactly one 1, at its end (I1); none without the end mark.
  EXPECT_EQ(splice_track_positions({7}, {}), (Positions{6}));
  EXPECT_EQ(splice_track_positions({7}, junctions_only()), Positions{});
  EXPECT_EQ(splice_track_positions({}, {}), Positions{});
}

// Acceptance check 1 (methods/isoclr.md §10) in transcript coordinates: exons [2, 6) and
// [10, 15), CDS [3, 13). Plus strand: exon lengths 4, 5 and CDS [1, 7); minus strand: 5, 4 and
// CDS [2, 8). (tests/data/transcripts_test.cpp checks the same from a GTF and a genome.)
TEST(RnaTracks, ToyTranscriptAcceptanceCheck) {
  const at::Tensor plus = rna_track_tensor("CCGGGATCG", 1, 7, {4, 5}, {}, 6);
  const at::Tensor minus = rna_track_tensor("CGATCCCGG", 2, 8, {5, 4}, {}, 6);
  EXPECT_EQ(ones(plus[4]), (Positions{1, 4}));
  EXPECT_EQ(ones(plus[5]), (Positions{3, 8}));
  EXPECT_EQ(ones(minus[4]), (Positions{2, 5}));
  EXPECT_EQ(ones(minus[5]), (Positions{4, 8}));
  EXPECT_EQ(ones(rna_track_tensor("CCGGGATCG", 1, 7, {4, 5}, junctions_only(), 6)[5]),
            (Positions{3}));
  EXPECT_EQ(ones(rna_track_tensor("CGATCCCGG", 2, 8, {5, 4}, junctions_only(), 6)[5]),
            (Positions{4}));
}

TEST(RnaTracks, TensorHoldsOneHotAndTracks) {
  const at::Tensor t = rna_track_tensor("ACGUNacgt", 0, 6, {3, 6}, {}, 6);
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{6, 9}));
  EXPECT_EQ(t.scalar_type(), at::kFloat);
  EXPECT_EQ(ones(t[0]), (Positions{0, 5}));
  EXPECT_EQ(ones(t[1]), (Positions{1, 6}));
  EXPECT_EQ(ones(t[2]), (Positions{2, 7}));
  EXPECT_EQ(ones(t[3]), (Positions{3, 8}));             // U reads as T
  EXPECT_EQ(t.select(1, 4).sum().item<float>(), 0.0f);  // N: all-zero nucleotide rows
  EXPECT_EQ(ones(t[4]), (Positions{0, 3}));
  EXPECT_EQ(ones(t[5]), (Positions{2, 8}));
  EXPECT_EQ(t.max().item<float>(), 1.0f);  // plain 0/1 values

  const at::Tensor four = rna_track_tensor("ACGUNacgt", 0, 6, {3, 6}, {}, 4);
  ASSERT_EQ(four.sizes(), (std::vector<int64_t>{4, 9}));
  EXPECT_TRUE(four.equal(t.slice(0, 0, 4)));
}

TEST(RnaTracks, IntoSharedBatchBuffer) {
  // Two transcripts (5 and 7 nt) in one zero-padded [2, 6, 8] batch, rows 8 floats apart.
  const int64_t stride = 8;
  at::Tensor batch = at::zeros({2, 6, stride}, at::kFloat);
  float* data = batch.data_ptr<float>();
  rna_tracks_into(-1, -1, {2, 3}, {}, stride, data);
  rna_tracks_into(1, 7, {3, 4}, {}, stride, data + 6 * stride);
  EXPECT_EQ(batch.slice(1, 0, 4).sum().item<float>(), 0.0f);  // rows 0-3 untouched
  EXPECT_EQ(ones(batch[0][4]), Positions{});
  EXPECT_EQ(ones(batch[0][5]), (Positions{1, 4}));
  EXPECT_EQ(ones(batch[1][4]), (Positions{1, 4}));
  EXPECT_EQ(ones(batch[1][5]), (Positions{2, 6}));
}

TEST(RnaTracks, BadArgumentsAreErrors) {
  // A [6, 9] buffer.
  std::vector<float> buffer(6 * size_t{9}, 0.0f);
  EXPECT_THROW(rna_tracks_into(1, 7, {4, 5}, {}, 8, buffer.data()), Error);   // stride < length
  EXPECT_THROW(rna_tracks_into(1, 10, {4, 5}, {}, 9, buffer.data()), Error);  // CDS past the end
  EXPECT_THROW(rna_tracks_into(5, 4, {4, 5}, {}, 9, buffer.data()), Error);   // end < begin
  EXPECT_THROW(rna_tracks_into(-1, -1, {4, -1}, {}, 9, buffer.data()), Error);
  EXPECT_THROW(rna_track_tensor("ACGT", -1, -1, {4}, {}, 5), UsageError);
  EXPECT_THROW(rna_track_tensor("ACGT", -1, -1, {3}, {}, 6), Error);  // exons != sequence
  // A CDS ending at the transcript's end is fine.
  EXPECT_NO_THROW(rna_tracks_into(6, 9, {4, 5}, {}, 9, buffer.data()));
}

}  // namespace
}  // namespace helix::seq
