// Evaluation metrics of genomics benchmarks (classification and regression), computed exactly on
// plain vectors so they can be checked against hand-computed values and sklearn.
//
// Conventions shared by every function here:
//  * Inputs of different lengths, empty inputs, NaN values, class indices outside [0, C) and
//    num_classes < 1 throw helix::UsageError. NaN is rejected everywhere (not only where it would
//    break sorting) so that a diverged model fails loudly instead of yielding a half-NaN report.
//  * A metric that is undefined for the data (AUROC with one class present, AP without positives,
//    Pearson/Spearman with a constant input) is quiet NaN; to_json writes it as null.
//  * Sums run in long double; counts are integers and are converted once, at the final division.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace helix::eval {

// ---------------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------------

struct ClassificationMetrics {
  double accuracy = 0.0;
  double mcc = 0.0;       // multiclass MCC (Gorodkin's R_K); equals the usual MCC when C == 2
  double macro_f1 = 0.0;  // mean of f1_per_class over classes present in labels or predictions
  // C == 2: the values of class 1 (the positive class). C > 2: macro average of the one-vs-rest
  // values over the classes with at least one positive and one negative sample (NaN if none).
  // The same classes enter both averages.
  double auroc = 0.0;
  double auprc = 0.0;                   // average precision (sklearn's average_precision_score)
  std::vector<double> auroc_per_class;  // one-vs-rest, size C; NaN where undefined
  std::vector<double> auprc_per_class;  // one-vs-rest, size C; NaN where no positives
  std::vector<double> f1_per_class;     // size C; 0 for classes in neither labels nor predictions
  int64_t n = 0;
  int num_classes = 0;
};

// labels[i] in [0, num_classes); scores is row-major [N][num_classes]. Predictions are the row
// argmax (the first maximal column on ties, as numpy.argmax). AUROC/AUPRC of class k rank column
// k as given, so any per-column monotone transform leaves them unchanged, but a row-wise softmax
// is not one: to match sklearn's roc_auc_score(..., multi_class="ovr") (and, for C == 2, its
// binary score on predict_proba[:, 1]) pass probabilities, e.g. softmax_rows(logits).
ClassificationMetrics classification_metrics(const std::vector<int64_t>& labels,
                                             const std::vector<double>& scores, int num_classes);

// Row-wise numerically stable softmax of row-major [N][num_classes] logits.
std::vector<double> softmax_rows(const std::vector<double>& logits, int num_classes);

// Row-wise argmax of row-major [N][num_classes] scores (first maximal column on ties).
std::vector<int64_t> argmax_rows(const std::vector<double>& scores, int num_classes);

// Fraction of positions where predicted == labels.
double accuracy(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted);

// Multiclass Matthews correlation (Gorodkin 2004, as sklearn.metrics.matthews_corrcoef): with
// confusion matrix M (rows true, columns predicted), t = row sums, p = column sums, s = N,
// c = trace(M): (c*s - t.p) / sqrt((s^2 - p.p) * (s^2 - t.t)). 0 when the denominator is 0
// (constant predictions or constant labels), as sklearn.
double matthews_corrcoef(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                         int num_classes);

// Per-class F1 = 2TP / (2TP + FP + FN), size num_classes; 0 where the denominator is 0 (a class
// in neither labels nor predictions; sklearn's zero_division=0).
std::vector<double> f1_per_class(const std::vector<int64_t>& labels,
                                 const std::vector<int64_t>& predicted, int num_classes);

// Unweighted mean of f1_per_class over the classes that occur in labels or in predictions.
// Classes in neither are left out (sklearn's f1_score(average="macro") with labels=None does the
// same, since it only knows the classes it sees), so passing a larger num_classes than the data
// uses does not change the result. A class that occurs only in labels (never predicted) or only
// in predictions enters with F1 = 0.
double macro_f1(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                int num_classes);

// Area under the ROC curve = P(score of a random positive > score of a random negative), ties
// counted 1/2 (Mann-Whitney U / (P*N)); identical to sklearn.metrics.roc_auc_score. O(N log N).
// binary_truth values must be 0 or 1. NaN if only one class is present.
double roc_auc(const std::vector<int>& binary_truth, const std::vector<double>& score);

// sklearn.metrics.average_precision_score: sum over distinct score thresholds t (descending) of
// (R(t) - R(previous t)) * P(t), where tied scores form one threshold, i.e. no interpolation.
// Equivalently the mean over positives of the precision at that positive's score. O(N log N).
// NaN if there are no positives (sklearn warns there; recall is undefined).
double average_precision(const std::vector<int>& binary_truth, const std::vector<double>& score);

// ---------------------------------------------------------------------------------------------
// Regression
// ---------------------------------------------------------------------------------------------

struct RegressionMetrics {
  double pearson = 0.0;
  double spearman = 0.0;
  double r2 = 0.0;
  double mse = 0.0;
  int64_t n = 0;
};

RegressionMetrics regression_metrics(const std::vector<double>& truth,
                                     const std::vector<double>& predicted);

// Pearson correlation (two-pass, clamped to [-1, 1]); NaN when either input is constant
// (including N == 1).
double pearson(const std::vector<double>& x, const std::vector<double>& y);

// Spearman correlation: Pearson of the average ranks (tied values share the mean of their ranks,
// as scipy.stats.spearmanr); NaN when either input is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Coefficient of determination 1 - SS_res / SS_tot. When truth is constant (SS_tot == 0):
// 1.0 if SS_res == 0 else 0.0 (sklearn's force_finite=True).
double r2_score(const std::vector<double>& truth, const std::vector<double>& predicted);

// Mean squared error.
double mse(const std::vector<double>& truth, const std::vector<double>& predicted);

// ---------------------------------------------------------------------------------------------
// JSON: every field by its struct name; non-finite values (NaN) become null.
// ---------------------------------------------------------------------------------------------

nlohmann::json to_json(const ClassificationMetrics& m);
nlohmann::json to_json(const RegressionMetrics& m);

}  // namespace helix::eval
