// Sampling the sequences that activate one neuron (NeuronMotif §3): every sequence of the
// receptive field when it is short (RF < 11), otherwise the genetic algorithm with
// gradient-guided mutation, elitism, shifted elite copies under pooling, one-point crossover
// and an activation-stratified archive, seeded with the motifs found one layer down.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "helix/interpret/neuron.hpp"
#include "helix/interpret/ppm.hpp"
#include "helix/interpret/samples.hpp"

namespace helix::interpret {

struct SamplerOptions {
  int64_t max_samples = 100000;   // archive cap
  int64_t exhaustive_below = 11;  // enumerate all 4^RF sequences when RF < this
  int64_t max_generations = 200;
  int64_t patience = 10;       // stop after this many generations without a better mean
  int64_t stratify_bins = 50;  // B_s (the paper/demo constant; NeuronMotif/ uses 20)
  int64_t population = 0;      // 0: clamp(floor(RF / 20) * 1000, 2000, 5000)
  uint64_t seed = 1;
};

// N(RF) = clamp(floor(RF / 20) * 1000, 2000, 5000).
int64_t population_size(int64_t receptive_field);
// Roulette weight f(a) = a + 1 for a >= 0, e^a otherwise (continuous, f(0) = 1).
double selection_weight(double activation);

// A leaf motif of the layer below, used to seed the initial population.
struct SeedMotif {
  int64_t channel = 0;  // neuron of layer - 1
  Matrix ppm;           // RF(layer - 1) rows
  double max_activation = 0;
  double consensus_activation = 0;
};

// 20-bin equalisation of positive weights (§3.2 step 5): (0, max] in 20 equal-width bins, each
// bin total mass 1/20 shared in proportion to the weights in it; an empty bin gives its mass to
// the previous (lower) non-empty bin's members. Non-positive weights get 0. Sums to 1 (all zero
// when no weight is positive).
std::vector<double> equalised_probabilities(const std::vector<double>& weights, int bins = 20);

struct SamplerResult {
  SampleSet samples;        // a > 0, unique, at most max_samples
  std::string method;       // "exhaustive", "genetic" or "dead"
  int64_t generations = 0;  // genetic only
  int64_t evaluated = 0;    // sequences scored
  double seconds = 0;
};

// `seeds` may be empty (layer 1, or --no-seed): the population starts uniformly random. A neuron
// none of whose seeding weights is positive is "dead": empty samples.
SamplerResult sample_neuron(NeuronScorer& scorer, const SamplerOptions& options,
                            const std::vector<SeedMotif>& seeds);

}  // namespace helix::interpret
