// The linear-probe protocol of `helix probe` on precomputed features: fit on the training split
// (ridge with leave-one-out selection for regression; L2 logistic regression with the penalty
// chosen on dev, or by stratified 5-fold cross-validation without dev), score the test split, and
// optionally repeat on random subsets of the training split for low-data curves.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "helix/data/labeled.hpp"

namespace helix::eval {

struct ProbeFeatures {
  at::Tensor train;  // [N_train, D]
  at::Tensor dev;    // [N_dev, D], or undefined without a dev split
  at::Tensor test;   // [N_test, D]
};

struct ProbeProtocolOptions {
  // Training-set sizes of the low-data curve (empty: none); each is fitted once per seed.
  std::vector<int64_t> train_sizes;
  std::vector<uint64_t> seeds = {0};
  int cv_folds = 5;
};

struct ProbeOutcome {
  nlohmann::json metrics;           // "test", "selection", "curve" (if asked), sizes
  std::vector<double> test_scores;  // of the fit on the whole training split, row-major
};

// dev may be null. Labels of dev and test must already be aligned to train's classes.
ProbeOutcome run_probe(const data::LabeledSet& train, const data::LabeledSet* dev,
                       const data::LabeledSet& test, const ProbeFeatures& features,
                       const ProbeProtocolOptions& options);

// The training subset of a curve point: `size` distinct indices drawn uniformly without
// replacement (std::mt19937_64 seeded with seed), then, for classification, the last drawn ones
// are swapped for the first example (in draw order of a full shuffle) of each class the draw
// missed, so every training class is present. Requires size <= N and, for classification,
// size >= number of classes.
std::vector<int64_t> curve_subset(const data::LabeledSet& train, int64_t size, uint64_t seed);

}  // namespace helix::eval
