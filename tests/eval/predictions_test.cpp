#include "helix/eval/predictions.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../temp_dir.hpp"

namespace helix::eval {
namespace {

TEST(Predictions, EvaluateClassificationUsesTheTaskMetrics) {
  data::LabeledSet s;
  s.kind = data::TaskKind::kClassification;
  s.classes = {"neg", "pos"};
  s.labels = {0, 1, 1, 0};
  s.sequences = {"A", "C", "G", "T"};
  // Predictions: 0, 1, 0, 0 -> TP 1, TN 2, FP 0, FN 1.
  const std::vector<double> scores = {0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.7, 0.3};
  const auto m = evaluate(s, scores);
  EXPECT_DOUBLE_EQ(m["accuracy"].get<double>(), 0.75);
  // MCC = (1*2 - 0*1) / sqrt(1 * 2 * 2 * 3) = 2 / sqrt(12).
  EXPECT_NEAR(m["mcc"].get<double>(), 2 / std::sqrt(12.0), 1e-12);
  // AUROC of p(pos) = {0.1, 0.8, 0.4, 0.3} against {0, 1, 1, 0}: all 4 pairs ordered.
  EXPECT_DOUBLE_EQ(m["auroc"].get<double>(), 1.0);
  EXPECT_EQ(m["classes"], (nlohmann::json{"neg", "pos"}));
  EXPECT_DOUBLE_EQ(metric_value(m, "accuracy"), 0.75);
  EXPECT_TRUE(std::isnan(metric_value(m, "pearson")));
}

TEST(Predictions, EvaluateRegressionPerTargetAndMean) {
  data::LabeledSet s;
  s.kind = data::TaskKind::kRegression;
  s.target_names = {"a", "b"};
  s.sequences = {"A", "C", "G"};
  s.targets = {1, 10, 2, 20, 3, 30};
  const std::vector<double> scores = {1, 30, 2, 20, 3, 10};  // a exact, b reversed
  const auto m = evaluate(s, scores);
  EXPECT_DOUBLE_EQ(m["per_target"]["a"]["pearson"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(m["per_target"]["b"]["pearson"].get<double>(), -1.0);
  EXPECT_DOUBLE_EQ(m["pearson"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(m["per_target"]["b"]["mse"].get<double>(), 800.0 / 3);
  EXPECT_DOUBLE_EQ(m["mse"].get<double>(), 400.0 / 3);
}

TEST(Predictions, WritesTsvWithTruthAndProbabilities) {
  const test::TempDir dir("helix_pred");
  const auto path = (dir / "p.tsv").string();
  data::LabeledSet truth;
  truth.kind = data::TaskKind::kClassification;
  truth.classes = {"a", "b", "c"};
  truth.labels = {2, 0};
  write_predictions(path, {"r1", "r2"}, truth.kind, truth.classes, {"label"},
                    {0.1, 0.2, 0.7, 0.5, 0.25, 0.25}, &truth);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "name\tlabel\tpredicted\tprob_a\tprob_b\tprob_c\n"
            "r1\tc\tc\t0.1\t0.2\t0.7\n"
            "r2\ta\ta\t0.5\t0.25\t0.25\n");
}

}  // namespace
}  // namespace helix::eval
