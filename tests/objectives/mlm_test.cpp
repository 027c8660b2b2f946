#include "helix/objectives/mlm.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace helix::objectives {
namespace {

TEST(MaskedNucleotideLoss, SoftmaxCrossEntropyByHand) {
  // Two counted positions: logits [0, ln 2, 0, 0, 0] with target 1 -> -log(2/6);
  // logits all zero with target 4 -> log 5.
  auto logits = at::zeros({1, 3, 5});
  logits[0][0][1] = std::log(2.0f);
  auto targets = at::tensor(std::vector<int64_t>{1, kIgnore, 4}, at::kLong).reshape({1, 3});
  const double expected = (-std::log(2.0 / 6.0) + std::log(5.0)) / 2.0;
  EXPECT_NEAR(masked_nucleotide_loss(logits, targets).item<double>(), expected, 1e-6);
}

TEST(MaskedNucleotideLoss, UnmaskedPositionsNeverContribute) {
  auto logits = at::randn({2, 7, 5});
  auto targets = at::full({2, 7}, kIgnore, at::kLong);
  targets[0][2] = 3;
  targets[1][5] = 0;
  const double base = masked_nucleotide_loss(logits, targets).item<double>();
  auto changed = logits.clone();
  changed[0][0].fill_(100.0);
  changed[1][6].fill_(-50.0);
  EXPECT_DOUBLE_EQ(masked_nucleotide_loss(changed, targets).item<double>(), base);
  EXPECT_DOUBLE_EQ(masked_nucleotide_loss(changed, targets, MlmLoss::kBce).item<double>(),
                   masked_nucleotide_loss(logits, targets, MlmLoss::kBce).item<double>());
}

TEST(MaskedNucleotideLoss, BceByHandAndNothingCounted) {
  auto logits = at::zeros({1, 2, 4});
  auto targets = at::tensor(std::vector<int64_t>{2, kIgnore}, at::kLong).reshape({1, 2});
  // Every channel has logit 0: BCE = log 2 per entry.
  EXPECT_NEAR(masked_nucleotide_loss(logits, targets, MlmLoss::kBce).item<double>(), std::log(2.0),
              1e-6);
  auto none = at::full({1, 2}, kIgnore, at::kLong);
  EXPECT_EQ(masked_nucleotide_loss(logits.requires_grad_(true), none).item<double>(), 0.0);
}

TEST(MaskedNucleotideAccuracy, CountsAndMajorityBaseline) {
  auto logits = at::zeros({1, 5, 4});
  logits[0][0][2] = 1;  // predicts 2, target 2
  logits[0][1][1] = 1;  // predicts 1, target 2
  logits[0][3][3] = 1;  // predicts 3, target 3
  auto targets = at::tensor(std::vector<int64_t>{2, 2, kIgnore, 3, 2}, at::kLong).reshape({1, 5});
  logits[0][4][0] = 1;  // predicts 0, target 2
  auto acc = masked_nucleotide_accuracy(logits, targets);
  EXPECT_EQ(acc.counted, 4);
  EXPECT_EQ(acc.correct, 2);
  EXPECT_EQ(acc.majority(), 3);  // base 2 is 3 of the 4 targets
  EXPECT_DOUBLE_EQ(acc.majority_accuracy(), 0.75);
  // Merging batches counts the majority over all of them, not per batch.
  auto other = masked_nucleotide_accuracy(logits, at::full({1, 5}, 3, at::kLong));
  acc.merge(other);
  EXPECT_EQ(acc.counted, 9);
  EXPECT_EQ(acc.majority(), 6);  // base 3: 1 + 5
  EXPECT_EQ(acc.correct, 3);
}

}  // namespace
}  // namespace helix::objectives

namespace helix::objectives {
namespace {

TEST(ScrambledMaskBce, SelectionIsUnrelatedToMaskedPositions) {
  // Bug B2 by simulation: ~30 % of entries chosen, only ~30 % of them at masked positions
  // (chance), and almost no position with all 5 channels chosen.
  at::manual_seed(3);
  const int64_t B = 200, L = 1000, C = 5;
  auto mask = at::rand({B, L}).lt(0.3);
  auto selected = mask.repeat({1, C}).reshape({B, L, C});
  const double chosen = selected.to(at::kDouble).mean().item<double>();
  EXPECT_NEAR(chosen, 0.30, 0.01);
  auto on_masked = (selected & mask.unsqueeze(-1)).to(at::kDouble).sum().item<double>() /
                   selected.to(at::kDouble).sum().item<double>();
  EXPECT_NEAR(on_masked, 0.30, 0.01);
  EXPECT_LT(selected.all(-1).to(at::kDouble).mean().item<double>(), 0.01);
}

TEST(ScrambledMaskBce, MatchesBceOnTheScrambledEntries) {
  // B=1, L=4, C=2: mask [1,0,0,1] repeated -> [1,0,0,1,1,0,0,1] reshaped to 4x2: entry (t, c)
  // is selected by flat index 2t+c -> (0,0), (1,1), (2,0), (3,1).
  auto logits = at::tensor({0.5f, -1.f, 2.f, 0.f, -0.5f, 1.f, 0.f, 3.f}).reshape({1, 4, 2});
  auto mask = at::tensor(std::vector<int64_t>{1, 0, 0, 1}).to(at::kBool).reshape({1, 4});
  auto original = at::tensor(std::vector<int64_t>{0, 1, -1, 0}).reshape({1, 4});
  // Selected (logit, target): (0.5, 1), (0, 1), (-0.5, 0 [zero row]), (3, 0).
  auto bce = [](double x, double y) {
    return std::log1p(std::exp(-std::abs(x))) + std::max(x, 0.0) - x * y;
  };
  const double expected = (bce(0.5, 1) + bce(0, 1) + bce(-0.5, 0) + bce(3, 0)) / 4.0;
  EXPECT_NEAR(scrambled_mask_bce(logits, mask, original).item<double>(), expected, 1e-6);
  EXPECT_THROW(masked_nucleotide_loss(logits, original, MlmLoss::kScrambledBce), std::exception);
}

}  // namespace
}  // namespace helix::objectives
