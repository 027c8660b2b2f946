#include "helix/eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <utility>

#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename A, typename B>
void check_pair(const A& a, const B& b, const char* fn) {
  if (a.size() != b.size()) {
    throw UsageError(std::string(fn) + ": inputs differ in length (" + std::to_string(a.size()) +
                     " vs " + std::to_string(b.size()) + ")");
  }
  if (a.empty()) throw UsageError(std::string(fn) + ": empty input");
}

void check_no_nan(const std::vector<double>& v, const char* fn) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) {
      throw UsageError(std::string(fn) + ": NaN at index " + std::to_string(i));
    }
  }
}

void check_num_classes(int num_classes, const char* fn) {
  if (num_classes < 1) {
    throw UsageError(std::string(fn) + ": num_classes must be >= 1, got " +
                     std::to_string(num_classes));
  }
}

void check_classes(const std::vector<int64_t>& v, int num_classes, const char* fn,
                   const char* what) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < 0 || v[i] >= num_classes) {
      throw UsageError(std::string(fn) + ": " + what + "[" + std::to_string(i) +
                       "] = " + std::to_string(v[i]) + " is outside [0, " +
                       std::to_string(num_classes) + ")");
    }
  }
}

// Validates labels/predicted and returns the confusion matrix, row-major [true][predicted].
std::vector<int64_t> confusion(const std::vector<int64_t>& labels,
                               const std::vector<int64_t>& predicted, int num_classes,
                               const char* fn) {
  check_pair(labels, predicted, fn);
  check_num_classes(num_classes, fn);
  check_classes(labels, num_classes, fn, "labels");
  check_classes(predicted, num_classes, fn, "predicted");
  std::vector<int64_t> m(static_cast<size_t>(num_classes) * num_classes, 0);
  for (size_t i = 0; i < labels.size(); ++i) ++m[labels[i] * num_classes + predicted[i]];
  return m;
}

double mcc_from_confusion(const std::vector<int64_t>& m, int c) {
  long double s = 0, correct = 0, tp = 0, tt = 0, pp = 0;
  for (int k = 0; k < c; ++k) {
    long double t = 0, p = 0;
    for (int j = 0; j < c; ++j) {
      t += m[k * c + j];
      p += m[j * c + k];
    }
    correct += m[k * c + k];
    s += t;
    tp += t * p;
    tt += t * t;
    pp += p * p;
  }
  const long double cov_tp = correct * s - tp;
  const long double cov_pp = s * s - pp;
  const long double cov_tt = s * s - tt;
  if (cov_pp == 0 || cov_tt == 0) return 0.0;
  const long double r = cov_tp / std::sqrt(cov_tt * cov_pp);
  return static_cast<double>(std::clamp(r, -1.0L, 1.0L));
}

std::vector<double> f1_from_confusion(const std::vector<int64_t>& m, int c) {
  std::vector<double> f1(c, 0.0);
  for (int k = 0; k < c; ++k) {
    int64_t t = 0, p = 0;
    for (int j = 0; j < c; ++j) {
      t += m[k * c + j];
      p += m[j * c + k];
    }
    const int64_t tp = m[k * c + k];
    const int64_t denom = t + p;  // = 2TP + FN + FP
    f1[k] = denom == 0 ? 0.0 : static_cast<double>(2.0L * tp / denom);
  }
  return f1;
}

double macro_from_confusion(const std::vector<int64_t>& m, int c, const std::vector<double>& f1) {
  long double sum = 0;
  int present = 0;
  for (int k = 0; k < c; ++k) {
    int64_t t = 0, p = 0;
    for (int j = 0; j < c; ++j) {
      t += m[k * c + j];
      p += m[j * c + k];
    }
    if (t + p > 0) {
      sum += f1[k];
      ++present;
    }
  }
  return static_cast<double>(sum / present);  // present >= 1: the input is non-empty
}

struct RankingMetrics {
  double auroc = kNaN;
  double ap = kNaN;
};

// items: (score, is_positive). Sorted in place; O(N log N).
RankingMetrics ranking_metrics(std::vector<std::pair<double, bool>>& items) {
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  uint64_t pos = 0;
  for (const auto& it : items) pos += it.second ? 1 : 0;
  const uint64_t neg = items.size() - pos;
  RankingMetrics r;

  // AUROC: walk tie groups upwards; each positive of a group wins against every negative below it
  // and half-wins against the negatives of its own group. Twice the U statistic stays integral.
  if (pos > 0 && neg > 0) {
    uint64_t twice_u = 0, neg_below = 0;
    for (size_t i = 0; i < items.size();) {
      size_t j = i;
      uint64_t gp = 0, gn = 0;
      for (; j < items.size() && items[j].first == items[i].first; ++j) {
        (items[j].second ? gp : gn) += 1;
      }
      twice_u += gp * (2 * neg_below + gn);
      neg_below += gn;
      i = j;
    }
    r.auroc = static_cast<double>(static_cast<long double>(twice_u) /
                                  (2.0L * static_cast<long double>(pos) * neg));
  }

  // AP: walk tie groups downwards (thresholds from high to low); recall grows by gp/P at a group
  // where the precision is tp/(tp+fp) with the whole group included.
  if (pos > 0) {
    long double sum = 0;
    uint64_t tp = 0, fp = 0;
    for (size_t j = items.size(); j > 0;) {
      size_t i = j;
      uint64_t gp = 0, gn = 0;
      for (; i > 0 && items[i - 1].first == items[j - 1].first; --i) {
        (items[i - 1].second ? gp : gn) += 1;
      }
      tp += gp;
      fp += gn;
      if (gp > 0) sum += static_cast<long double>(gp) * tp / (tp + fp);
      j = i;
    }
    r.ap = static_cast<double>(sum / pos);
  }
  return r;
}

RankingMetrics binary_ranking(const std::vector<int>& truth, const std::vector<double>& score,
                              const char* fn) {
  check_pair(truth, score, fn);
  check_no_nan(score, fn);
  std::vector<std::pair<double, bool>> items(truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] != 0 && truth[i] != 1) {
      throw UsageError(std::string(fn) + ": binary_truth[" + std::to_string(i) +
                       "] = " + std::to_string(truth[i]) + " is not 0 or 1");
    }
    items[i] = {score[i], truth[i] == 1};
  }
  return ranking_metrics(items);
}

size_t rows_of(const std::vector<double>& scores, int num_classes, const char* fn) {
  check_num_classes(num_classes, fn);
  if (scores.empty()) throw UsageError(std::string(fn) + ": empty input");
  if (scores.size() % num_classes != 0) {
    throw UsageError(std::string(fn) + ": " + std::to_string(scores.size()) +
                     " scores are not a multiple of num_classes = " + std::to_string(num_classes));
  }
  return scores.size() / num_classes;
}

bool is_constant(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; });
}

// Pearson on validated, equally long, non-empty inputs.
double pearson_unchecked(const std::vector<double>& x, const std::vector<double>& y) {
  if (is_constant(x) || is_constant(y)) return kNaN;
  const size_t n = x.size();
  long double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  long double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    const long double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const long double r = sxy / std::sqrt(sxx * syy);
  return static_cast<double>(std::clamp(r, -1.0L, 1.0L));
}

// 1-based ranks; tied values get the mean of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
    const double r = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;  // exact
    for (size_t k = i; k < j; ++k) rank[order[k]] = r;
    i = j;
  }
  return rank;
}

void check_regression(const std::vector<double>& a, const std::vector<double>& b, const char* fn) {
  check_pair(a, b, fn);
  check_no_nan(a, fn);
  check_no_nan(b, fn);
}

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json numbers(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(number(x));
  return a;
}

}  // namespace

std::vector<int64_t> argmax_rows(const std::vector<double>& scores, int num_classes) {
  const size_t n = rows_of(scores, num_classes, "argmax_rows");
  check_no_nan(scores, "argmax_rows");
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    const double* row = scores.data() + i * num_classes;
    out[i] = std::max_element(row, row + num_classes) - row;  // first maximum
  }
  return out;
}

std::vector<double> softmax_rows(const std::vector<double>& logits, int num_classes) {
  const size_t n = rows_of(logits, num_classes, "softmax_rows");
  check_no_nan(logits, "softmax_rows");
  std::vector<double> out(logits.size());
  for (size_t i = 0; i < n; ++i) {
    const double* row = logits.data() + i * num_classes;
    double* dst = out.data() + i * num_classes;
    const double mx = *std::max_element(row, row + num_classes);
    long double z = 0;
    for (int k = 0; k < num_classes; ++k) z += dst[k] = std::exp(row[k] - mx);
    for (int k = 0; k < num_classes; ++k) dst[k] = static_cast<double>(dst[k] / z);
  }
  return out;
}

double accuracy(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted) {
  check_pair(labels, predicted, "accuracy");
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += labels[i] == predicted[i] ? 1 : 0;
  return static_cast<double>(static_cast<long double>(correct) / labels.size());
}

double matthews_corrcoef(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                         int num_classes) {
  return mcc_from_confusion(confusion(labels, predicted, num_classes, "matthews_corrcoef"),
                            num_classes);
}

std::vector<double> f1_per_class(const std::vector<int64_t>& labels,
                                 const std::vector<int64_t>& predicted, int num_classes) {
  return f1_from_confusion(confusion(labels, predicted, num_classes, "f1_per_class"), num_classes);
}

double macro_f1(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                int num_classes) {
  const auto m = confusion(labels, predicted, num_classes, "macro_f1");
  return macro_from_confusion(m, num_classes, f1_from_confusion(m, num_classes));
}

double roc_auc(const std::vector<int>& binary_truth, const std::vector<double>& score) {
  return binary_ranking(binary_truth, score, "roc_auc").auroc;
}

double average_precision(const std::vector<int>& binary_truth, const std::vector<double>& score) {
  return binary_ranking(binary_truth, score, "average_precision").ap;
}

ClassificationMetrics classification_metrics(const std::vector<int64_t>& labels,
                                             const std::vector<double>& scores, int num_classes) {
  const char* fn = "classification_metrics";
  const size_t n = rows_of(scores, num_classes, fn);
  if (n != labels.size()) {
    throw UsageError(std::string(fn) + ": " + std::to_string(labels.size()) + " labels but " +
                     std::to_string(n) + " score rows");
  }
  const int c = num_classes;
  const std::vector<int64_t> predicted = argmax_rows(scores, c);  // also rejects NaN
  const auto m = confusion(labels, predicted, c, fn);

  ClassificationMetrics out;
  out.n = static_cast<int64_t>(n);
  out.num_classes = c;
  out.accuracy = accuracy(labels, predicted);
  out.mcc = mcc_from_confusion(m, c);
  out.f1_per_class = f1_from_confusion(m, c);
  out.macro_f1 = macro_from_confusion(m, c, out.f1_per_class);

  out.auroc_per_class.assign(c, kNaN);
  out.auprc_per_class.assign(c, kNaN);
  std::vector<std::pair<double, bool>> items(n);
  long double auroc_sum = 0, auprc_sum = 0;
  int both = 0;  // classes with positives and negatives
  for (int k = 0; k < c; ++k) {
    for (size_t i = 0; i < n; ++i) items[i] = {scores[i * c + k], labels[i] == k};
    const RankingMetrics r = ranking_metrics(items);
    out.auroc_per_class[k] = r.auroc;
    out.auprc_per_class[k] = r.ap;
    if (!std::isnan(r.auroc)) {
      auroc_sum += r.auroc;
      auprc_sum += r.ap;
      ++both;
    }
  }
  if (c == 2) {
    out.auroc = out.auroc_per_class[1];
    out.auprc = out.auprc_per_class[1];
  } else if (both > 0) {
    out.auroc = static_cast<double>(auroc_sum / both);
    out.auprc = static_cast<double>(auprc_sum / both);
  } else {
    out.auroc = out.auprc = kNaN;
  }
  return out;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_regression(x, y, "pearson");
  return pearson_unchecked(x, y);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_regression(x, y, "spearman");
  return pearson_unchecked(average_ranks(x), average_ranks(y));
}

double r2_score(const std::vector<double>& truth, const std::vector<double>& predicted) {
  check_regression(truth, predicted, "r2_score");
  if (is_constant(truth)) return truth == predicted ? 1.0 : 0.0;
  const size_t n = truth.size();
  long double mean = 0;
  for (double t : truth) mean += t;
  mean /= n;
  long double ss_res = 0, ss_tot = 0;
  for (size_t i = 0; i < n; ++i) {
    const long double r = static_cast<long double>(truth[i]) - predicted[i];
    const long double d = truth[i] - mean;
    ss_res += r * r;
    ss_tot += d * d;
  }
  return static_cast<double>(1.0L - ss_res / ss_tot);
}

double mse(const std::vector<double>& truth, const std::vector<double>& predicted) {
  check_regression(truth, predicted, "mse");
  long double ss = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const long double r = static_cast<long double>(truth[i]) - predicted[i];
    ss += r * r;
  }
  return static_cast<double>(ss / truth.size());
}

RegressionMetrics regression_metrics(const std::vector<double>& truth,
                                     const std::vector<double>& predicted) {
  check_regression(truth, predicted, "regression_metrics");
  RegressionMetrics out;
  out.n = static_cast<int64_t>(truth.size());
  out.pearson = pearson_unchecked(truth, predicted);
  out.spearman = pearson_unchecked(average_ranks(truth), average_ranks(predicted));
  out.r2 = r2_score(truth, predicted);
  out.mse = mse(truth, predicted);
  return out;
}

nlohmann::json to_json(const ClassificationMetrics& m) {
  return {{"accuracy", number(m.accuracy)},
          {"mcc", number(m.mcc)},
          {"macro_f1", number(m.macro_f1)},
          {"auroc", number(m.auroc)},
          {"auprc", number(m.auprc)},
          {"auroc_per_class", numbers(m.auroc_per_class)},
          {"auprc_per_class", numbers(m.auprc_per_class)},
          {"f1_per_class", numbers(m.f1_per_class)},
          {"n", m.n},
          {"num_classes", m.num_classes}};
}

nlohmann::json to_json(const RegressionMetrics& m) {
  return {{"pearson", number(m.pearson)},
          {"spearman", number(m.spearman)},
          {"r2", number(m.r2)},
          {"mse", number(m.mse)},
          {"n", m.n}};
}

}  // namespace helix::eval
