#include "helix/data/isoclr_batch.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "helix/objectives/mlm.hpp"

namespace helix::data {
namespace {

RnaRecord record(const std::string& id, const std::string& sequence,
                 std::vector<int64_t> exon_lengths, int64_t cds_begin = -1, int64_t cds_end = -1) {
  RnaRecord r;
  r.id = id;
  r.group = "g";
  r.sequence = sequence;
  r.exon_lengths = std::move(exon_lengths);
  r.cds_begin = cds_begin;
  r.cds_end = cds_end;
  return r;
}

std::vector<int64_t> values(const at::Tensor& t) {
  const auto flat = t.to(at::kLong).contiguous().flatten();
  return {flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel()};
}

PairCorpus two_isoforms() {
  PairCorpus c;
  // The spec's toy transcript (9 nt, exons 4 + 5, CDS [1, 7)) and a longer isoform.
  c.add_transcripts({record("a", "ACGTACGTA", {4, 5}, 1, 7),
                     record("b", std::string(40, 'C') + "GGTTAA", {20, 26}, 3, 33)});
  return c;
}

TEST(IsoclrBatch, UnaugmentedViewsAreTheEncodedRecordsPaddedToTheLongest) {
  const auto c = two_isoforms();
  IsoclrViewOptions o;
  o.augment = false;
  std::mt19937_64 rng(1);
  const std::vector<PairDraw> pairs = {{0, 1, PairType::kSplice}, {1, 0, PairType::kSplice}};
  const auto b = make_isoclr_batch(c, pairs, o, rng);
  ASSERT_EQ(b.x.sizes(), (at::IntArrayRef{4, 6, 46}));
  EXPECT_EQ(values(b.lengths), (std::vector<int64_t>{9, 46, 46, 9}));
  const auto& r0 = c.records[0];
  const auto a =
      seq::rna_track_tensor(r0.sequence, r0.cds_begin, r0.cds_end, r0.exon_lengths, o.tracks, 6);
  EXPECT_TRUE(at::equal(b.x[0].narrow(1, 0, 9), a));
  EXPECT_EQ(b.x[0].narrow(1, 9, 37).abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(at::equal(b.x[3].narrow(1, 0, 9), a));
  // Codon track at {1, 4}, splice at {3, 8} (acceptance check 1, plus strand).
  EXPECT_EQ(values(a[4].nonzero()), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(values(a[5].nonzero()), (std::vector<int64_t>{3, 8}));
  EXPECT_EQ(values(b.types), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(b.mlm_targets.ne(objectives::kIgnore).sum().item<int64_t>(), 0);
  // Four tracks: the nucleotide rows only.
  EXPECT_TRUE(at::equal(
      seq::rna_track_tensor(r0.sequence, r0.cds_begin, r0.cds_end, r0.exon_lengths, o.tracks, 4),
      a.narrow(0, 0, 4)));
}

TEST(IsoclrBatch, AugmentationShiftsAndMasksAllChannelsOfFifteenPercent) {
  PairCorpus c;
  c.add_transcripts({record("long", std::string(1000, 'G'), {400, 600}, 10, 910),
                     record("long2", std::string(1000, 'T'), {1000})});
  IsoclrViewOptions o;
  std::mt19937_64 rng(5);
  const std::vector<PairDraw> pairs = {{0, 1, PairType::kSplice}, {1, 0, PairType::kSplice}};
  std::vector<int64_t> shifts_seen(4, 0);
  for (int trial = 0; trial < 40; ++trial) {
    const auto b = make_isoclr_batch(c, pairs, o, rng);
    for (int64_t r = 0; r < 4; ++r) {
      const int64_t length = b.lengths[r].item<int64_t>();
      const int64_t shift = length - 1000;
      ASSERT_GE(shift, 0);
      ASSERT_LE(shift, 3);
      ++shifts_seen[shift];
      // Leading shift columns are empty; 150 of the 1000 positions have every channel zero.
      EXPECT_EQ(b.x[r].narrow(1, 0, shift).abs().sum().item<float>(), 0.0f);
      const auto row = b.x[r].narrow(1, shift, 1000);
      const auto empty = row.abs().sum(0).eq(0);
      EXPECT_EQ(empty.sum().item<int64_t>(), 150);
      // Each masked position has its original base as the MLM target.
      const auto targets = b.mlm_targets[r].narrow(0, shift, 1000);
      EXPECT_TRUE(at::equal(targets.ne(objectives::kIgnore), empty));
      const int64_t expected = (r == 0 || r == 3) ? 2 : 3;
      EXPECT_EQ(targets.masked_select(empty).eq(expected).all().item<bool>(), true);
    }
  }
  for (int64_t s = 0; s <= 3; ++s) EXPECT_GT(shifts_seen[s], 15) << s;
}

}  // namespace
}  // namespace helix::data
