#include "helix/eval/predictions.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "helix/eval/metrics.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"
#include "helix/util/log.hpp"

namespace helix::eval {

namespace {
// Column j of a row-major [N][width] matrix.
std::vector<double> column(const std::vector<double>& m, size_t width, size_t j) {
  std::vector<double> out(m.size() / width);
  for (size_t i = 0; i < out.size(); ++i) out[i] = m[i * width + j];
  return out;
}
}  // namespace

nlohmann::json evaluate(const data::LabeledSet& set, const std::vector<double>& scores) {
  const size_t n = set.size();
  if (set.kind == data::TaskKind::kClassification) {
    const int c = set.num_classes();
    if (scores.size() != n * static_cast<size_t>(c)) {
      throw Error("internal: " + std::to_string(scores.size()) + " scores for " +
                  std::to_string(n) + " records of " + std::to_string(c) + " classes");
    }
    auto j = to_json(classification_metrics(set.labels, scores, c));
    j["classes"] = set.classes;
    return j;
  }
  const auto t = static_cast<size_t>(set.num_targets());
  if (scores.size() != n * t) throw Error("internal: prediction count does not match targets");
  nlohmann::json per_target = nlohmann::json::object();
  double sums[4] = {0, 0, 0, 0};
  for (size_t k = 0; k < t; ++k) {
    const auto m = regression_metrics(column(set.targets, t, k), column(scores, t, k));
    per_target[set.target_names[k]] = to_json(m);
    sums[0] += m.pearson;
    sums[1] += m.spearman;
    sums[2] += m.r2;
    sums[3] += m.mse;
  }
  nlohmann::json j = {{"per_target", per_target}, {"n", static_cast<int64_t>(n)}};
  const char* names[4] = {"pearson", "spearman", "r2", "mse"};
  for (int i = 0; i < 4; ++i) {
    const double mean = sums[i] / static_cast<double>(t);
    j[names[i]] = std::isfinite(mean) ? nlohmann::json(mean) : nlohmann::json(nullptr);
  }
  return j;
}

double metric_value(const nlohmann::json& metrics, const std::string& metric) {
  auto it = metrics.find(metric);
  if (it == metrics.end() || !it->is_number()) return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>();
}

void write_predictions(const std::string& path, const std::vector<std::string>& names,
                       data::TaskKind kind, const std::vector<std::string>& classes,
                       const std::vector<std::string>& targets, const std::vector<double>& scores,
                       const data::LabeledSet* truth) {
  const bool classification = kind == data::TaskKind::kClassification;
  const size_t width = classification ? classes.size() : targets.size();
  if (width == 0 || scores.size() != names.size() * width) {
    throw Error("internal: predictions do not match the number of records");
  }
  std::string out = "name";
  if (truth != nullptr) {
    if (classification) {
      out += "\tlabel";
    } else {
      for (const auto& t : targets) out += "\t" + t;
    }
  }
  if (classification) {
    out += "\tpredicted";
    for (const auto& c : classes) out += "\tprob_" + c;
  } else {
    for (const auto& t : targets) out += "\tpred_" + t;
  }
  out += "\n";
  for (size_t i = 0; i < names.size(); ++i) {
    out += names[i];
    const double* row = scores.data() + i * width;
    if (truth != nullptr) {
      if (classification) {
        out += "\t" + classes[truth->labels[i]];
      } else {
        for (size_t k = 0; k < width; ++k)
          out += "\t" + format_significant(truth->targets[i * width + k], 6);
      }
    }
    if (classification) {
      size_t best = 0;
      for (size_t k = 1; k < width; ++k) {
        if (row[k] > row[best]) best = k;
      }
      out += "\t" + classes[best];
    }
    for (size_t k = 0; k < width; ++k) out += "\t" + format_significant(row[k], 6);
    out += "\n";
  }
  write_file_atomic(path, out);
}

}  // namespace helix::eval
