#include "helix/eval/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

constexpr double kTol = 1e-12;

// Builds label/prediction vectors from a confusion matrix, row-major [true][predicted].
void from_confusion(const std::vector<std::vector<int>>& m, std::vector<int64_t>& labels,
                    std::vector<int64_t>& predicted) {
  labels.clear();
  predicted.clear();
  for (size_t t = 0; t < m.size(); ++t) {
    for (size_t p = 0; p < m[t].size(); ++p) {
      for (int k = 0; k < m[t][p]; ++k) {
        labels.push_back(static_cast<int64_t>(t));
        predicted.push_back(static_cast<int64_t>(p));
      }
    }
  }
}

// O(N^2) reference: fraction of (positive, negative) pairs ordered correctly, ties 1/2.
double brute_auroc(const std::vector<int>& y, const std::vector<double>& s) {
  double wins = 0;
  int64_t pairs = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 1) continue;
    for (size_t j = 0; j < y.size(); ++j) {
      if (y[j] != 0) continue;
      ++pairs;
      wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
    }
  }
  return wins / static_cast<double>(pairs);
}

// O(N^2) reference: mean over positives of precision at that positive's score (all samples with
// score >= it count as predicted positive) -- sklearn's step-wise AP with ties grouped.
double brute_ap(const std::vector<int>& y, const std::vector<double>& s) {
  double sum = 0;
  int pos = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 1) continue;
    ++pos;
    int tp = 0, all = 0;
    for (size_t j = 0; j < y.size(); ++j) {
      if (s[j] >= s[i]) {
        ++all;
        tp += y[j];
      }
    }
    sum += static_cast<double>(tp) / all;
  }
  return sum / pos;
}

// ------------------------------------------------------------------------------------------------
// Accuracy, MCC, F1
// ------------------------------------------------------------------------------------------------

TEST(Metrics, Accuracy) {
  EXPECT_DOUBLE_EQ(accuracy({0, 1, 2, 1}, {0, 2, 2, 1}), 0.75);
  EXPECT_DOUBLE_EQ(accuracy({3}, {3}), 1.0);
}

TEST(Metrics, BinaryMccFromConfusionMatrix) {
  // TN = 4, FP = 1, FN = 2, TP = 3 (rows true 0/1, columns predicted 0/1).
  // MCC = (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))
  //     = (12 - 2) / sqrt(4 * 5 * 5 * 6) = 10 / sqrt(600) = 0.408248290463863.
  std::vector<int64_t> y, p;
  from_confusion({{4, 1}, {2, 3}}, y, p);
  EXPECT_NEAR(matthews_corrcoef(y, p, 2), 10.0 / std::sqrt(600.0), kTol);
  EXPECT_NEAR(matthews_corrcoef(y, p, 2), 0.408248290463863, 1e-14);
  // Perfect and perfectly inverted predictions.
  EXPECT_NEAR(matthews_corrcoef({0, 1, 1, 0}, {0, 1, 1, 0}, 2), 1.0, kTol);
  EXPECT_NEAR(matthews_corrcoef({0, 1, 1, 0}, {1, 0, 0, 1}, 2), -1.0, kTol);
}

TEST(Metrics, MulticlassMccGorodkin) {
  // M = [[3,1,0],[1,2,0],[2,0,1]] (rows true, columns predicted), s = N = 10, c = trace = 6.
  // t (row sums) = [4,3,3], p (column sums) = [6,3,1].
  // t.p = 24 + 9 + 3 = 36; t.t = 16 + 9 + 9 = 34; p.p = 36 + 9 + 1 = 46.
  // MCC = (c*s - t.p) / sqrt((s^2 - p.p)(s^2 - t.t)) = (60 - 36) / sqrt(54 * 66)
  //     = 24 / sqrt(3564) = 24 / (6 sqrt(99)) = 4 / (3 sqrt(11)) = 0.402015126103685.
  std::vector<int64_t> y, p;
  from_confusion({{3, 1, 0}, {1, 2, 0}, {2, 0, 1}}, y, p);
  EXPECT_NEAR(matthews_corrcoef(y, p, 3), 4.0 / (3.0 * std::sqrt(11.0)), kTol);
  // A larger num_classes with unused classes leaves every sum unchanged.
  EXPECT_NEAR(matthews_corrcoef(y, p, 5), 4.0 / (3.0 * std::sqrt(11.0)), kTol);

  // Same matrix, F1 = 2TP / (2TP + FP + FN) = 2TP / (t_k + p_k):
  // class 0: 6/(4+6) = 0.6; class 1: 4/(3+3) = 2/3; class 2: 2/(3+1) = 0.5.
  // macro = (0.6 + 2/3 + 0.5) / 3 = (27 + 30 + 22.5) / 45 / 3 = 53/90.
  const auto f1 = f1_per_class(y, p, 3);
  ASSERT_EQ(f1.size(), 3u);
  EXPECT_NEAR(f1[0], 0.6, kTol);
  EXPECT_NEAR(f1[1], 2.0 / 3.0, kTol);
  EXPECT_NEAR(f1[2], 0.5, kTol);
  EXPECT_NEAR(macro_f1(y, p, 3), 53.0 / 90.0, kTol);
}

TEST(Metrics, MccIsZeroForConstantPredictionsOrLabels) {
  // p.p = 4^2 = s^2, so s^2 - p.p = 0: denominator 0 -> 0 (sklearn convention).
  EXPECT_EQ(matthews_corrcoef({0, 1, 1, 0}, {1, 1, 1, 1}, 2), 0.0);
  EXPECT_EQ(matthews_corrcoef({2, 2, 2}, {0, 1, 2}, 3), 0.0);
  EXPECT_EQ(matthews_corrcoef({1}, {1}, 2), 0.0);
}

TEST(Metrics, MacroF1WithClassNeverPredicted) {
  // labels {0,0,1,1,2}, predicted {0,0,1,1,1}:
  // class 0: TP 2, FP 0, FN 0 -> 1; class 1: TP 2, FP 1, FN 0 -> 4/5;
  // class 2 (never predicted): TP 0, FP 0, FN 1 -> 0/1 = 0. macro = (1 + 0.8 + 0) / 3 = 0.6.
  const std::vector<int64_t> y = {0, 0, 1, 1, 2}, p = {0, 0, 1, 1, 1};
  EXPECT_NEAR(macro_f1(y, p, 3), 0.6, kTol);
  // Class 3 occurs in neither: F1 0 and left out of the average.
  const auto f1 = f1_per_class(y, p, 4);
  ASSERT_EQ(f1.size(), 4u);
  EXPECT_NEAR(f1[0], 1.0, kTol);
  EXPECT_NEAR(f1[1], 0.8, kTol);
  EXPECT_EQ(f1[2], 0.0);
  EXPECT_EQ(f1[3], 0.0);
  EXPECT_NEAR(macro_f1(y, p, 4), 0.6, kTol);
}

TEST(Metrics, MacroF1WithClassOnlyPredicted) {
  // labels {0,0,1}, predicted {0,2,1}: class 0: TP 1, FN 1 -> 2/3; class 1: 1;
  // class 2 (only predicted): TP 0, FP 1 -> 0. macro = (2/3 + 1 + 0) / 3 = 5/9.
  EXPECT_NEAR(macro_f1({0, 0, 1}, {0, 2, 1}, 3), 5.0 / 9.0, kTol);
}

// ------------------------------------------------------------------------------------------------
// AUROC and average precision
// ------------------------------------------------------------------------------------------------

TEST(Metrics, RocAucSklearnExample) {
  // Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs won: 0.35>0.1, 0.8>0.1, 0.8>0.4 -> 3/4.
  EXPECT_NEAR(roc_auc({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}), 0.75, kTol);
}

TEST(Metrics, RocAucWithTies) {
  // Positives {0.5, 0.9, 0.2}, negatives {0.5, 0.2}.
  // 0.5: tie 0.5 + win 1 = 1.5; 0.9: 2 wins; 0.2: loss 0 + tie 0.5 = 0.5. U = 4, AUC = 4/6.
  EXPECT_NEAR(roc_auc({0, 1, 0, 1, 1}, {0.5, 0.5, 0.2, 0.9, 0.2}), 2.0 / 3.0, kTol);
  // Every score tied: every pair counts 1/2.
  EXPECT_NEAR(roc_auc({0, 1, 1, 0, 1}, {0.3, 0.3, 0.3, 0.3, 0.3}), 0.5, kTol);
  // Perfect and inverted rankings.
  EXPECT_EQ(roc_auc({0, 0, 1, 1}, {1, 2, 3, 4}), 1.0);
  EXPECT_EQ(roc_auc({0, 0, 1, 1}, {4, 3, 2, 1}), 0.0);
}

TEST(Metrics, RocAucUndefinedWithOneClass) {
  EXPECT_TRUE(std::isnan(roc_auc({1, 1, 1}, {0.1, 0.2, 0.3})));
  EXPECT_TRUE(std::isnan(roc_auc({0, 0}, {0.1, 0.2})));
}

TEST(Metrics, AveragePrecisionSklearnExample) {
  // Descending: 0.8 (+), 0.4 (-), 0.35 (+), 0.1 (-); P = 2.
  // t=0.8: P=1/1, R=1/2; t=0.4: R unchanged; t=0.35: P=2/3, R=1; t=0.1: R unchanged.
  // AP = (1/2)(1) + (1/2)(2/3) = 5/6 = 0.8333...
  EXPECT_NEAR(average_precision({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}), 5.0 / 6.0, kTol);
}

TEST(Metrics, AveragePrecisionWithTies) {
  // y {0,1,1,0,1}, s {0.8,0.8,0.6,0.3,0.3}; P = 3. Tied scores form one threshold:
  // t=0.8: TP 1, FP 1 -> precision 1/2, recall 1/3;
  // t=0.6: TP 2, FP 1 -> 2/3, recall 2/3;  t=0.3: TP 3, FP 2 -> 3/5, recall 1.
  // AP = (1/3)(1/2 + 2/3 + 3/5) = (1/3)(53/30) = 53/90.
  EXPECT_NEAR(average_precision({0, 1, 1, 0, 1}, {0.8, 0.8, 0.6, 0.3, 0.3}), 53.0 / 90.0, kTol);
  // All tied: one threshold, precision = prevalence.
  EXPECT_NEAR(average_precision({0, 1, 0, 1}, {0.5, 0.5, 0.5, 0.5}), 0.5, kTol);
  // All positive: precision 1 everywhere.
  EXPECT_NEAR(average_precision({1, 1, 1}, {0.2, 0.1, 0.2}), 1.0, kTol);
  // No positives: undefined.
  EXPECT_TRUE(std::isnan(average_precision({0, 0, 0}, {0.2, 0.1, 0.2})));
}

TEST(Metrics, RankingMatchesBruteForceWithManyTies) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> level(0, 19);  // 20 distinct scores -> many ties
  std::bernoulli_distribution coin(0.3);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<int> y(1500);
    std::vector<double> s(y.size());
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = coin(rng) ? 1 : 0;
      // Weakly informative: positives shifted up a little.
      s[i] = 0.05 * level(rng) + (y[i] ? 0.1 : 0.0);
    }
    EXPECT_NEAR(roc_auc(y, s), brute_auroc(y, s), 1e-12);
    EXPECT_NEAR(average_precision(y, s), brute_ap(y, s), 1e-12);
  }
}

TEST(Metrics, RocAucLargeInput) {
  // 60,000 samples (9e8 pairs for an O(N^2) method). Score i % 1000, label i % 2: positives are
  // the 500 odd residues, negatives the 500 even ones, each residue 60 times (the 60 * 60 cancels
  // in U / (P*N)), no positive tied with a negative. Odd residue 2k+1 beats the k+1 even residues
  // 0, 2, ..., 2k, so AUC = sum_{k=0}^{499} (k+1) / 500^2 = (500 * 501 / 2) / 250000 = 0.501.
  std::vector<int> y(60000);
  std::vector<double> s(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    y[i] = static_cast<int>(i % 2);
    s[i] = static_cast<double>(i % 1000);
  }
  EXPECT_NEAR(roc_auc(y, s), 0.501, kTol);
}

// ------------------------------------------------------------------------------------------------
// classification_metrics
// ------------------------------------------------------------------------------------------------

TEST(Metrics, ClassificationBinary) {
  // Rows [p0, p1]; argmax -> 0, 0, 0, 1. Column 1 = {0.1, 0.4, 0.35, 0.8}: the sklearn example.
  const std::vector<int64_t> y = {0, 0, 1, 1};
  const std::vector<double> s = {0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8};
  const auto m = classification_metrics(y, s, 2);
  EXPECT_EQ(m.n, 4);
  EXPECT_EQ(m.num_classes, 2);
  EXPECT_NEAR(m.accuracy, 0.75, kTol);
  // TN 2, FP 0, FN 1, TP 1: (1*2 - 0*1) / sqrt(1 * 2 * 2 * 3) = 2 / sqrt(12).
  EXPECT_NEAR(m.mcc, 2.0 / std::sqrt(12.0), kTol);
  // F1 class 0: 4/(4+1) = 0.8; class 1: 2/(2+1) = 2/3; macro = 11/15.
  EXPECT_NEAR(m.f1_per_class[0], 0.8, kTol);
  EXPECT_NEAR(m.f1_per_class[1], 2.0 / 3.0, kTol);
  EXPECT_NEAR(m.macro_f1, 11.0 / 15.0, kTol);
  EXPECT_NEAR(m.auroc, 0.75, kTol);
  EXPECT_NEAR(m.auprc, 5.0 / 6.0, kTol);
  // Class 0 one-vs-rest on column 0: positives {0.9, 0.6}, negatives {0.65, 0.2}: 3 of 4 pairs.
  // AP: 0.9 (+) P=1 R=1/2; 0.65 (-); 0.6 (+) P=2/3 R=1 -> 5/6.
  EXPECT_NEAR(m.auroc_per_class[0], 0.75, kTol);
  EXPECT_NEAR(m.auprc_per_class[0], 5.0 / 6.0, kTol);
  EXPECT_NEAR(m.auroc_per_class[1], 0.75, kTol);
}

TEST(Metrics, ClassificationMulticlass) {
  const std::vector<int64_t> y = {0, 0, 1, 1, 2, 2};
  const std::vector<double> s = {
      0.7, 0.2, 0.1,  // label 0 -> 0
      0.4, 0.5, 0.1,  // label 0 -> 1
      0.2, 0.6, 0.2,  // label 1 -> 1
      0.3, 0.3, 0.4,  // label 1 -> 2
      0.1, 0.2, 0.7,  // label 2 -> 2
      0.5, 0.1, 0.4,  // label 2 -> 0
  };
  const auto m = classification_metrics(y, s, 3);
  EXPECT_NEAR(m.accuracy, 0.5, kTol);
  // M = [[1,1,0],[0,1,1],[1,0,1]]: t = p = [2,2,2], s = 6, c = 3.
  // MCC = (3*6 - 12) / sqrt((36 - 12)(36 - 12)) = 6 / 24 = 0.25.
  EXPECT_NEAR(m.mcc, 0.25, kTol);
  // Every class: TP 1, FP 1, FN 1 -> F1 = 2/4.
  EXPECT_NEAR(m.macro_f1, 0.5, kTol);
  // Class 0, column 0: positives {0.7, 0.4} vs negatives {0.2, 0.3, 0.1, 0.5}: 4 + 3 = 7 of 8.
  // Class 1, column 1: positives {0.6, 0.3} vs {0.2, 0.5, 0.2, 0.1}: 4 + 3 = 7 of 8.
  // Class 2, column 2: positives {0.7, 0.4} vs {0.1, 0.1, 0.2, 0.4}: 4 + (3 + tie 1/2) = 7.5 of 8.
  EXPECT_NEAR(m.auroc_per_class[0], 0.875, kTol);
  EXPECT_NEAR(m.auroc_per_class[1], 0.875, kTol);
  EXPECT_NEAR(m.auroc_per_class[2], 0.9375, kTol);
  EXPECT_NEAR(m.auroc, (0.875 + 0.875 + 0.9375) / 3.0, kTol);
  // AP, each class: top score is a positive (P=1, R=1/2); the second positive comes with one
  // negative above or tied with it (P=2/3, R=1): (1/2)(1) + (1/2)(2/3) = 5/6.
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(m.auprc_per_class[k], 5.0 / 6.0, kTol) << k;
  EXPECT_NEAR(m.auprc, 5.0 / 6.0, kTol);
}

TEST(Metrics, ClassificationMacroSkipsClassesWithoutPositives) {
  // Class 2 never occurs in labels: its AUROC/AP are NaN and it is left out of both macros.
  const std::vector<int64_t> y = {0, 1, 0, 1};
  const std::vector<double> s = {0.6, 0.3, 0.1,  //
                                 0.2, 0.7, 0.1,  //
                                 0.5, 0.4, 0.1,  //
                                 0.4, 0.5, 0.1};
  const auto m = classification_metrics(y, s, 3);
  EXPECT_TRUE(std::isnan(m.auroc_per_class[2]));
  EXPECT_TRUE(std::isnan(m.auprc_per_class[2]));
  EXPECT_NEAR(m.auroc_per_class[0], 1.0, kTol);
  EXPECT_NEAR(m.auroc_per_class[1], 1.0, kTol);
  EXPECT_NEAR(m.auroc, 1.0, kTol);
  EXPECT_NEAR(m.auprc, 1.0, kTol);
  EXPECT_NEAR(m.accuracy, 1.0, kTol);
  EXPECT_NEAR(m.macro_f1, 1.0, kTol);  // class 2 is in neither labels nor predictions
}

TEST(Metrics, ClassificationSingleClassPresent) {
  const auto m = classification_metrics({1, 1}, {0.2, 0.8, 0.6, 0.4}, 2);
  EXPECT_TRUE(std::isnan(m.auroc));
  EXPECT_NEAR(m.auprc, 1.0, kTol);  // class 1 has positives, so AP is defined
  EXPECT_EQ(m.mcc, 0.0);            // constant labels
  EXPECT_NEAR(m.accuracy, 0.5, kTol);
}

TEST(Metrics, ArgmaxAndSoftmax) {
  EXPECT_EQ(argmax_rows({0.2, 0.5, 0.5, 1.0, 0.0, -1.0}, 3), (std::vector<int64_t>{1, 0}));
  const auto p = softmax_rows({0.0, std::log(3.0), 1000.0, 0.0}, 2);
  EXPECT_NEAR(p[0], 0.25, kTol);
  EXPECT_NEAR(p[1], 0.75, kTol);
  EXPECT_NEAR(p[2], 1.0, kTol);  // stable for large logits
  EXPECT_GE(p[3], 0.0);
  EXPECT_LT(p[3], 1e-300);
}

// ------------------------------------------------------------------------------------------------
// Regression
// ------------------------------------------------------------------------------------------------

TEST(Metrics, PearsonHandComputed) {
  // x {1,2,3,4,5}, y {2,4,5,4,5}; means 3 and 4; dx {-2,-1,0,1,2}, dy {-2,0,1,0,1}.
  // Sxy = 4 + 0 + 0 + 0 + 2 = 6; Sxx = 10; Syy = 4 + 0 + 1 + 0 + 1 = 6. r = 6 / sqrt(60).
  EXPECT_NEAR(pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}), 6.0 / std::sqrt(60.0), kTol);
  EXPECT_NEAR(pearson({1, 2, 3}, {-2, -4, -6}), -1.0, kTol);
}

TEST(Metrics, SpearmanWithTies) {
  // x {1,2,2,3} -> ranks {1, 2.5, 2.5, 4}; y {1,3,2,4} -> ranks {1, 3, 2, 4}; both means 2.5.
  // dx {-1.5, 0, 0, 1.5}, dy {-1.5, 0.5, -0.5, 1.5}.
  // Sxy = 2.25 + 0 + 0 + 2.25 = 4.5; Sxx = 4.5; Syy = 2.25 + 0.25 + 0.25 + 2.25 = 5.
  // rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9) = 0.948683298050514.
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 3, 2, 4}), std::sqrt(0.9), kTol);
  // x {1,2,3,4,5}, y {2,4,5,4,5} -> y ranks {1, 2.5, 4.5, 2.5, 4.5}, mean 3,
  // dy {-2, -0.5, 1.5, -0.5, 1.5}: Sxy = 4 + 0.5 + 0 - 0.5 + 3 = 7; Syy = 4 + .25 + 2.25 + .25 +
  // 2.25 = 9; Sxx = 10. rho = 7 / sqrt(90).
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}), 7.0 / std::sqrt(90.0), kTol);
  // Monotone but non-linear: 1.
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0, kTol);
}

TEST(Metrics, CorrelationUndefinedForConstantInput) {
  EXPECT_TRUE(std::isnan(pearson({0.1, 0.1, 0.1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(pearson({1, 2, 3}, {0.1, 0.1, 0.1})));
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {5, 5, 5})));
  EXPECT_TRUE(std::isnan(pearson({1}, {2})));
}

TEST(Metrics, R2AndMse) {
  // sklearn's example: truth {3,-0.5,2,7}, pred {2.5,0,2,8}. mean(truth) = 11.5/4 = 2.875.
  // SS_tot = 0.125^2 + 3.375^2 + 0.875^2 + 4.125^2 = 0.015625 + 11.390625 + 0.765625 + 17.015625
  //        = 29.1875; SS_res = 0.25 + 0.25 + 0 + 1 = 1.5. R2 = 1 - 1.5/29.1875; MSE = 1.5/4.
  const std::vector<double> t = {3, -0.5, 2, 7}, p = {2.5, 0, 2, 8};
  EXPECT_NEAR(r2_score(t, p), 1.0 - 1.5 / 29.1875, kTol);
  EXPECT_NEAR(r2_score(t, p), 0.9486081370449679, 1e-14);
  EXPECT_DOUBLE_EQ(mse(t, p), 0.375);
  // Perfect prediction -> 1; predicting the mean -> 0.
  EXPECT_DOUBLE_EQ(r2_score(t, t), 1.0);
  EXPECT_NEAR(r2_score(t, {2.875, 2.875, 2.875, 2.875}), 0.0, kTol);
  // Constant truth: 1 if exact, else 0.
  EXPECT_EQ(r2_score({2, 2, 2}, {2, 2, 2}), 1.0);
  EXPECT_EQ(r2_score({2, 2, 2}, {2, 2, 3}), 0.0);
}

TEST(Metrics, RegressionMetricsBundle) {
  const auto m = regression_metrics({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5});
  EXPECT_EQ(m.n, 5);
  EXPECT_NEAR(m.pearson, 6.0 / std::sqrt(60.0), kTol);
  EXPECT_NEAR(m.spearman, 7.0 / std::sqrt(90.0), kTol);
  // SS_res = 1 + 4 + 4 + 0 + 0 = 9; SS_tot = 10 -> R2 = 0.1; MSE = 9/5.
  EXPECT_NEAR(m.r2, 0.1, kTol);
  EXPECT_NEAR(m.mse, 1.8, kTol);
}

// ------------------------------------------------------------------------------------------------
// Errors and JSON
// ------------------------------------------------------------------------------------------------

TEST(Metrics, RejectsBadInput) {
  EXPECT_THROW(accuracy({0, 1}, {0}), UsageError);
  EXPECT_THROW(accuracy({}, {}), UsageError);
  EXPECT_THROW(matthews_corrcoef({0, 1}, {0, 1, 1}, 2), UsageError);
  EXPECT_THROW(matthews_corrcoef({0, 2}, {0, 1}, 2), UsageError);  // label out of range
  EXPECT_THROW(matthews_corrcoef({0, 1}, {0, -1}, 2), UsageError);
  EXPECT_THROW(macro_f1({0}, {0}, 0), UsageError);
  EXPECT_THROW(roc_auc({0, 1}, {0.5}), UsageError);
  EXPECT_THROW(roc_auc({}, {}), UsageError);
  EXPECT_THROW(roc_auc({0, 2}, {0.1, 0.2}), UsageError);  // not binary
  EXPECT_THROW(roc_auc({0, 1}, {0.1, std::nan("")}), UsageError);
  EXPECT_THROW(average_precision({0, 1, 1}, {0.1, 0.2}), UsageError);
  EXPECT_THROW(classification_metrics({0, 1}, {0.5, 0.5, 0.5}, 2), UsageError);  // not [N][C]
  EXPECT_THROW(classification_metrics({0, 1, 0}, {0.5, 0.5, 0.5, 0.5}, 2), UsageError);
  EXPECT_THROW(classification_metrics({}, {}, 2), UsageError);
  EXPECT_THROW(pearson({1, 2, 3}, {1, 2}), UsageError);
  EXPECT_THROW(spearman({}, {}), UsageError);
  EXPECT_THROW(r2_score({1, 2}, {1}), UsageError);
  EXPECT_THROW(mse({1.0, std::nan("")}, {1, 2}), UsageError);
  EXPECT_THROW(regression_metrics({1, 2}, {1, 2, 3}), UsageError);
}

TEST(Metrics, JsonWritesNaNAsNull) {
  const auto c = classification_metrics({1, 1}, {0.2, 0.8, 0.6, 0.4}, 2);
  const nlohmann::json j = to_json(c);
  EXPECT_TRUE(j.at("auroc").is_null());
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), 0.5);
  EXPECT_EQ(j.at("n").get<int64_t>(), 2);
  EXPECT_EQ(j.at("num_classes").get<int>(), 2);
  ASSERT_EQ(j.at("auroc_per_class").size(), 2u);
  EXPECT_TRUE(j.at("auroc_per_class")[0].is_null());
  EXPECT_EQ(j.at("f1_per_class").size(), 2u);
  EXPECT_TRUE(j.contains("mcc") && j.contains("macro_f1") && j.contains("auprc") &&
              j.contains("auprc_per_class"));

  const nlohmann::json r = to_json(regression_metrics({1, 1, 1}, {1, 2, 3}));
  EXPECT_TRUE(r.at("pearson").is_null());
  EXPECT_TRUE(r.at("spearman").is_null());
  EXPECT_DOUBLE_EQ(r.at("r2").get<double>(), 0.0);
  EXPECT_NEAR(r.at("mse").get<double>(), 5.0 / 3.0, kTol);
  EXPECT_EQ(r.at("n").get<int64_t>(), 3);
  EXPECT_EQ(r.dump().find("NaN"), std::string::npos);
}

}  // namespace
}  // namespace helix::eval
