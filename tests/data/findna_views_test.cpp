#include "helix/data/findna_views.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "helix/objectives/mlm.hpp"
#include "helix/seq/reverse_complement.hpp"

namespace helix::data {
namespace {

std::vector<std::string> random_windows(int n, int length, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> out(n, std::string(length, 'A'));
  for (auto& s : out) {
    for (auto& c : s) c = "ACGTN"[rng() % 5];
  }
  return out;
}

TEST(FindnaViews, ShapesClsRowsAndTargets) {
  const auto a = seq::Alphabet::from_name("acgtn");
  FindnaViewOptions o;
  std::mt19937_64 rng(1);
  const auto windows = random_windows(6, 300, 4);
  auto b = make_findna_batch(windows, a, o, rng);
  EXPECT_EQ(b.student.sizes(), (at::IntArrayRef{6, 5, 310}));
  EXPECT_EQ(b.teacher.sizes(), (at::IntArrayRef{6, 5, 310}));
  EXPECT_EQ(mlm_targets(b).sizes(), (at::IntArrayRef{6, 300}));
  EXPECT_EQ(b.student.narrow(2, 300, 10).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(b.teacher.narrow(2, 300, 10).abs().sum().item<float>(), 0.0f);
  const double counted = mlm_targets(b).ne(objectives::kIgnore).sum().item<double>();
  EXPECT_NEAR(counted / (6 * 300), 0.30, 0.04);
  // Teacher rows are clean one-hot vectors.
  auto sums = b.teacher.narrow(2, 0, 300).sum(1);
  EXPECT_TRUE(at::equal(sums, at::ones_like(sums)));
}

TEST(FindnaViews, ReverseComplementFlipsInputTargetsAndMaskTogether) {
  const auto a = seq::Alphabet::from_name("acgtn");
  FindnaViewOptions o;
  o.rc_prob = 1.0;
  o.noise_std = 0.0;
  o.mask.zero_prob = 0.0;  // selected positions keep their base (or get a random one)
  o.mask.random_prob = 0.0;
  std::mt19937_64 rng(9);
  const auto windows = random_windows(3, 120, 5);
  auto b = make_findna_batch(windows, a, o, rng);
  for (int i = 0; i < 3; ++i) {
    auto rc = seq::encode(windows[i], a);
    seq::reverse_complement_codes(rc, a);
    auto expected = seq::one_hot(rc, 5);
    EXPECT_TRUE(at::equal(b.student[i].narrow(1, 0, 120), expected));
    for (int t = 0; t < 120; ++t) {
      const auto target = mlm_targets(b)[i][t].item<int64_t>();
      if (target != objectives::kIgnore) EXPECT_EQ(target, rc[t]) << "target must be the RC base";
    }
  }
}

TEST(FindnaViews, TeacherWithoutAugmentationIsTheCleanWindow) {
  const auto a = seq::Alphabet::from_name("acgt");
  FindnaViewOptions o;
  o.max_deletion = o.max_insertion = o.max_translocation = 0;
  std::mt19937_64 rng(2);
  const auto windows = random_windows(2, 64, 8);
  auto b = make_findna_batch(windows, a, o, rng);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(
        at::equal(b.teacher[i].narrow(1, 0, 64), seq::one_hot(seq::encode(windows[i], a), 4)));
  }
}

TEST(FindnaViews, SameSeedSameBatch) {
  const auto a = seq::Alphabet::from_name("acgtn");
  const auto windows = random_windows(4, 100, 3);
  std::mt19937_64 r1(77), r2(77);
  auto x = make_findna_batch(windows, a, {}, r1);
  auto y = make_findna_batch(windows, a, {}, r2);
  EXPECT_TRUE(at::equal(x.student, y.student));
  EXPECT_TRUE(at::equal(x.teacher, y.teacher));
  EXPECT_TRUE(at::equal(mlm_targets(x), mlm_targets(y)));
}

}  // namespace
}  // namespace helix::data

namespace helix::data {
namespace {

TEST(FindnaViews, OriginalFlipAxesSwapsCAndNAndLeavesTargetsForward) {
  // Bug B3 reproduced on request: positions and channel order reversed; in ACGNT order that is
  // A<->T, C<->N, G fixed; the targets stay on the forward strand.
  const auto a = seq::Alphabet::from_name("acgtn");
  FindnaViewOptions o;
  o.rc_mode = RcMode::kFlipAxes;
  o.rc_prob = 1.0;
  o.noise_std = 0.0;
  o.mask.zero_prob = 0.0;
  o.mask.random_prob = 0.0;
  std::mt19937_64 rng(4);
  auto b = make_findna_batch({"ACGNTTC"}, a, o, rng);
  auto student = b.student[0].narrow(1, 0, 7);
  std::string seen;
  for (int t = 0; t < 7; ++t)
    seen += a.symbol(static_cast<int8_t>(student.select(1, t).argmax().item<int64_t>()));
  EXPECT_EQ(seen, "NAACGNT");  // reverse of ACGNTTC = CTTNGCA, then A<->T, C<->N, G fixed
  auto forward = seq::encode("ACGNTTC", a);
  for (int t = 0; t < 7; ++t) {
    EXPECT_EQ(b.original[0][t].item<int64_t>(), forward[t]);
    const auto target = mlm_targets(b)[0][t].item<int64_t>();
    if (target != objectives::kIgnore) EXPECT_EQ(target, forward[t]);
  }
}

TEST(FindnaViews, TranslocationOnlyTeacherIsARollOfTheCleanWindow) {
  const auto a = seq::Alphabet::from_name("acgt");
  FindnaViewOptions o;
  o.translocation_only = true;
  std::mt19937_64 rng(6);
  const auto windows = random_windows(4, 80, 2);
  auto b = make_findna_batch(windows, a, o, rng);
  for (int i = 0; i < 4; ++i) {
    auto clean = seq::one_hot(seq::encode(windows[i], a), 4);
    bool is_roll = false;
    for (int64_t s = -20; s <= 20 && !is_roll; ++s) {
      is_roll = at::equal(b.teacher[i].narrow(1, 0, 80), at::roll(clean, {s}, {1}));
    }
    EXPECT_TRUE(is_roll) << i;
  }
}

TEST(FindnaViews, MaskAndOriginalAreAlignedWithTargets) {
  const auto a = seq::Alphabet::from_name("acgtn");
  std::mt19937_64 rng(8);
  auto b = make_findna_batch(random_windows(3, 200, 9), a, {}, rng);
  auto counted = mlm_targets(b).ne(objectives::kIgnore);
  EXPECT_TRUE(at::equal(counted, b.mlm_mask & b.original.ge(0)));
  EXPECT_TRUE(at::equal(mlm_targets(b).masked_select(counted), b.original.masked_select(counted)));
}

}  // namespace
}  // namespace helix::data
