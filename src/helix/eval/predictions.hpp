// Scoring a labelled set's predictions with the task's metrics, and writing predictions as TSV.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helix/data/labeled.hpp"

namespace helix::eval {

// scores: row-major [N][C] class probabilities (classification) or [N][T] predicted targets
// (regression), rows in the set's order. Classification: to_json(classification_metrics) plus
// "classes". Regression: {"per_target": {name: to_json(regression_metrics)}, and the mean over
// targets of pearson, spearman, r2 and mse at the top level}.
nlohmann::json evaluate(const data::LabeledSet& set, const std::vector<double>& scores);

// The value of `metric` in an evaluate() result ("mcc", "auroc", "pearson", ...); NaN if absent
// or null.
double metric_value(const nlohmann::json& metrics, const std::string& metric);

// Predictions TSV, atomically written. Columns: name, then (with `truth`) the true label or
// targets, then for classification `predicted` (class name) and `prob_<class>` per class, for
// regression `pred_<target>` per target. Numbers with 6 significant digits.
void write_predictions(const std::string& path, const std::vector<std::string>& names,
                       data::TaskKind kind, const std::vector<std::string>& classes,
                       const std::vector<std::string>& targets, const std::vector<double>& scores,
                       const data::LabeledSet* truth = nullptr);

}  // namespace helix::eval
