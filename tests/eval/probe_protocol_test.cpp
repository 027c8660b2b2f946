#include "helix/eval/probe_protocol.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <set>

#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

data::LabeledSet classification_set(const std::vector<int64_t>& labels, int classes) {
  data::LabeledSet s;
  s.path = "mem.csv";
  s.kind = data::TaskKind::kClassification;
  s.target_names = {"label"};
  for (int c = 0; c < classes; ++c) s.classes.push_back(std::to_string(c));
  for (size_t i = 0; i < labels.size(); ++i) {
    s.sequences.push_back("ACGT");
    s.names.push_back(std::to_string(i + 1));
    s.lines.push_back(static_cast<int64_t>(i) + 2);
  }
  s.labels = labels;
  return s;
}

TEST(ProbeProtocol, CurveSubsetsAreDistinctSeededAndHoldEveryClass) {
  // 3 classes, class 2 rare (2 of 200): small draws would usually miss it.
  std::vector<int64_t> labels(200, 0);
  for (int i = 0; i < 100; ++i) labels[i] = 1;
  labels[150] = labels[151] = 2;
  const auto set = classification_set(labels, 3);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto subset = curve_subset(set, 5, seed);
    ASSERT_EQ(subset.size(), 5u);
    EXPECT_EQ(std::set<int64_t>(subset.begin(), subset.end()).size(), 5u);
    std::set<int64_t> classes;
    for (auto i : subset) classes.insert(labels[i]);
    EXPECT_EQ(classes.size(), 3u) << seed;
    EXPECT_EQ(subset, curve_subset(set, 5, seed));
  }
  EXPECT_NE(curve_subset(set, 50, 0), curve_subset(set, 50, 1));
  EXPECT_THROW(curve_subset(set, 2, 0), UsageError);    // fewer than the classes
  EXPECT_THROW(curve_subset(set, 201, 0), UsageError);  // more than the set
}

TEST(ProbeProtocol, SeparableFeaturesGivePerfectTestScoresAndACurve) {
  std::vector<int64_t> train_labels, test_labels;
  for (int i = 0; i < 120; ++i) train_labels.push_back(i % 2);
  for (int i = 0; i < 40; ++i) test_labels.push_back(i % 2);
  const auto train = classification_set(train_labels, 2);
  const auto test = classification_set(test_labels, 2);
  auto g = at::detail::createCPUGenerator(3);
  auto features_of = [&](const std::vector<int64_t>& labels) {
    auto y = at::tensor(labels, at::kDouble).unsqueeze(1);
    return at::cat({4.0 * y + at::randn({static_cast<int64_t>(labels.size()), 1}, g, at::kDouble),
                    at::randn({static_cast<int64_t>(labels.size()), 3}, g, at::kDouble)},
                   1);
  };
  ProbeFeatures f{features_of(train_labels), at::Tensor(), features_of(test_labels)};
  ProbeProtocolOptions options;
  options.train_sizes = {10, 40};
  options.seeds = {0, 1};
  const auto outcome = run_probe(train, nullptr, test, f, options);
  EXPECT_GT(outcome.metrics["test"]["mcc"].get<double>(), 0.9);
  EXPECT_EQ(outcome.test_scores.size(), 80u);
  ASSERT_EQ(outcome.metrics["curve"].size(), 2u);
  const auto& point = outcome.metrics["curve"][1];
  EXPECT_EQ(point["train_size"], 40);
  ASSERT_EQ(point["auroc"]["values"].size(), 2u);
  const double a = point["auroc"]["values"][0], b = point["auroc"]["values"][1];
  EXPECT_NEAR(point["auroc"]["mean"].get<double>(), (a + b) / 2, 1e-12);
  EXPECT_NEAR(point["auroc"]["std"].get<double>(), std::abs(a - b) / std::sqrt(2.0), 1e-12);
}

}  // namespace
}  // namespace helix::eval
