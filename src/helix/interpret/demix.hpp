// Demixing a neuron's samples into leaves (NeuronMotif §4): recursive activation-weighted k-means
// on the feature maps of the layers below, from layer L-1 down to 1, with k = (pool size)^m at
// each level, so that each leaf holds one arrangement (shift) of the neuron's motifs. Plus the
// per-leaf PPM with its quality diagnostics and the automatic choice of m (motif_nb).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "helix/interpret/neuron.hpp"
#include "helix/interpret/ppm.hpp"
#include "helix/interpret/samples.hpp"

namespace helix::interpret {

// Weighted k-means (k-means++ initialisation weighted by w, Lloyd iterations with weighted
// means, `restarts` seeded restarts keeping the lowest weighted inertia): x [n, d], w [n] ->
// labels [n] (int64, in [0, k)). With n <= k every sample is its own cluster.
at::Tensor weighted_kmeans(const at::Tensor& x, const at::Tensor& w, int64_t k, int64_t restarts,
                           uint64_t seed, int64_t max_iterations = 30);

struct DemixOptions {
  int64_t motif_nb = 1;  // m: each pool size is raised to the m-th power
  int64_t min_leaf = 0;  // no minimum (paper/demo constants); NeuronMotif/ uses 50
  int64_t restarts = 3;
  int64_t ppm_bins = 50;  // B (paper/demo); NeuronMotif/ uses 20
  // k-means is fitted on at most this many samples (drawn at random; mini-batch k-means, the
  // original's choice, also fits on subsamples), then every sample goes to its nearest centre.
  int64_t fit_samples = 10000;
  int64_t max_features = 1 << 26;  // floats of feature maps held at once (256 MB)
  uint64_t seed = 1;
};

// Maximum leaves per neuron of `layer`: the product over lower layers l of pools[l]^m.
int64_t max_leaves(const nn::ConvNetImpl& net, int64_t layer, int64_t motif_nb);

struct Leaf {
  std::vector<int64_t> members;  // sample indices
  Matrix ppm;                    // activation-weighted, RF rows
  int64_t n = 0;
  double max_activation = 0;
  double consensus_activation = 0;  // activation of the PPM's argmax sequence
  double quality() const {          // C/M
    return max_activation > 0 ? consensus_activation / max_activation : 0;
  }
};

// Leaves in depth-first order (the leaf index is the "shift id"); empty clusters are dropped.
std::vector<Leaf> demix(NeuronScorer& scorer, const SampleSet& samples, const DemixOptions& o);

// r of a neuron: the best C/M over its leaves (0 without leaves).
double best_quality(const std::vector<Leaf>& leaves);

// §4.3: accept m when the mean of r (each neuron's best C/M) is significantly above 0.95
// (one-sample t-test, t > 0 and two-sided p < 0.1; fewer than 10 neurons: mean(r) > 0.95).
bool accept_motif_nb(const std::vector<double>& best_quality);
// Two-sided p-value of Student's t with `dof` degrees of freedom.
double student_t_two_sided_p(double t, double dof);

}  // namespace helix::interpret
