#include "helix/eval/probe_protocol.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "helix/eval/predictions.hpp"
#include "helix/eval/probe.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::eval {

namespace {

std::vector<double> to_vector(const at::Tensor& t) {
  auto c = t.to(at::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

at::Tensor rows(const at::Tensor& x, const std::vector<int64_t>& indices) {
  return x.index_select(0, at::tensor(indices, at::kLong));
}

struct Fit {
  std::vector<double> test_scores;
  nlohmann::json selection;
};

// Fits on the training rows `indices` and scores the test features.
Fit fit_and_score(const data::LabeledSet& train, const data::LabeledSet* dev,
                  const ProbeFeatures& f, const std::vector<int64_t>& indices, int folds,
                  uint64_t seed) {
  const auto x = rows(f.train, indices);
  Fit out;
  if (train.kind == data::TaskKind::kRegression) {
    const auto t = train.num_targets();
    auto y_all = at::tensor(train.targets, at::kDouble).view({-1, t});
    const auto fit = fit_ridge(x, rows(y_all, indices));
    out.test_scores = to_vector(predict(fit, f.test));
    out.selection = {{"method", "ridge, exact leave-one-out on train"},
                     {"alpha", fit.alpha},
                     {"alphas", fit.alphas},
                     {"loo_mse", fit.loo_mse}};
    return out;
  }
  const int c = train.num_classes();
  auto y_all = at::tensor(train.labels, at::kLong);
  const auto y = rows(y_all, indices);
  LogisticSelection s;
  if (dev != nullptr && f.dev.defined()) {
    s = select_logistic_l2(x, y, f.dev, at::tensor(dev->labels, at::kLong), c);
    out.selection = {{"method", "logistic, l2 chosen by dev log-loss"}};
  } else {
    const int k = static_cast<int>(std::min<int64_t>(folds, x.size(0)));
    s = cross_validate_logistic_l2(x, y, c, k, default_logistic_l2_grid(), seed);
    out.selection = {{"method", "logistic, l2 chosen by stratified " + std::to_string(k) +
                                    "-fold cross-validated log-loss"}};
  }
  out.selection["l2"] = s.l2;
  out.selection["sklearn_C"] = s.fit.c;
  out.selection["grid"] = s.grid;
  out.selection["log_loss"] = s.log_loss;
  out.test_scores = to_vector(predict_proba(s.fit, f.test));
  return out;
}

}  // namespace

std::vector<int64_t> curve_subset(const data::LabeledSet& train, int64_t size, uint64_t seed) {
  const auto n = static_cast<int64_t>(train.size());
  const bool classification = train.kind == data::TaskKind::kClassification;
  if (size < 1 || size > n) {
    throw UsageError("training size " + std::to_string(size) + " is outside 1.." +
                     std::to_string(n) + " (the training split of " + train.path + ")");
  }
  if (classification && size < train.num_classes()) {
    throw UsageError("training size " + std::to_string(size) + " is smaller than the number of " +
                     "classes (" + std::to_string(train.num_classes()) + ")");
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<int64_t> chosen(order.begin(), order.begin() + size);
  if (!classification) return chosen;
  std::vector<int> count(train.num_classes(), 0);
  for (auto i : chosen) ++count[train.labels[i]];
  // Swap in a representative of each missing class, replacing examples of classes that have
  // more than one, from the end of the draw.
  for (int64_t j = size; j < n; ++j) {
    const auto cls = train.labels[order[j]];
    if (count[cls] > 0) continue;
    for (int64_t r = size - 1; r >= 0; --r) {
      if (count[train.labels[chosen[r]]] > 1) {
        --count[train.labels[chosen[r]]];
        chosen[r] = order[j];
        ++count[cls];
        break;
      }
    }
  }
  return chosen;
}

ProbeOutcome run_probe(const data::LabeledSet& train, const data::LabeledSet* dev,
                       const data::LabeledSet& test, const ProbeFeatures& features,
                       const ProbeProtocolOptions& options) {
  if (features.train.size(0) != static_cast<int64_t>(train.size()) ||
      features.test.size(0) != static_cast<int64_t>(test.size()) ||
      (dev != nullptr &&
       (!features.dev.defined() || features.dev.size(0) != static_cast<int64_t>(dev->size())))) {
    throw Error("internal: feature rows do not match the labelled sets");
  }
  ProbeOutcome outcome;
  std::vector<int64_t> all(train.size());
  std::iota(all.begin(), all.end(), 0);
  const auto start = std::chrono::steady_clock::now();
  auto full = fit_and_score(train, dev, features, all, options.cv_folds, 0);
  const double fit_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.test_scores = full.test_scores;
  auto& m = outcome.metrics;
  m["task"] = data::task_kind_name(train.kind);
  m["n_train"] = static_cast<int64_t>(train.size());
  m["n_dev"] = dev != nullptr ? static_cast<int64_t>(dev->size()) : 0;
  m["n_test"] = static_cast<int64_t>(test.size());
  m["feature_dim"] = features.train.size(1);
  m["selection"] = full.selection;
  m["fit_seconds"] = fit_seconds;
  m["test"] = evaluate(test, full.test_scores);

  if (!options.train_sizes.empty()) {
    if (options.seeds.empty()) throw UsageError("a training-size curve needs at least one seed");
    auto curve = nlohmann::json::array();
    for (const auto size : options.train_sizes) {
      std::map<std::string, std::vector<double>> values;
      for (const auto seed : options.seeds) {
        const auto subset = curve_subset(train, size, seed);
        const auto fit = fit_and_score(train, dev, features, subset, options.cv_folds, seed);
        const auto metrics = evaluate(test, fit.test_scores);
        for (const auto& item : metrics.items()) {
          if (item.value().is_number()) values[item.key()].push_back(item.value().get<double>());
          if (item.value().is_null()) values[item.key()].push_back(std::nan(""));
        }
      }
      nlohmann::json point = {{"train_size", size}, {"seeds", options.seeds}};
      for (const auto& [name, v] : values) {
        if (name == "n" || name == "num_classes") continue;
        const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        // Sample standard deviation over seeds (0 for a single seed).
        const double sd = v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0.0;
        auto finite = [](double x) {
          return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
        };
        nlohmann::json per_seed = nlohmann::json::array();
        for (double x : v) per_seed.push_back(finite(x));
        point[name] = {{"mean", finite(mean)}, {"std", finite(sd)}, {"values", per_seed}};
      }
      curve.push_back(point);
      const auto& headline =
          values[train.kind == data::TaskKind::kClassification ? "mcc" : "pearson"];
      spdlog::info("train size {}: test {} mean {:.4f} over {} seeds", size,
                   train.kind == data::TaskKind::kClassification ? "mcc" : "pearson",
                   std::accumulate(headline.begin(), headline.end(), 0.0) / headline.size(),
                   headline.size());
    }
    m["curve"] = curve;
  }
  return outcome;
}

}  // namespace helix::eval
