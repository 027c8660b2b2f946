// Deterministic random motifs for Tomtom tests: columns drawn from a Dirichlet(0.5) (gamma
// draws, normalised), lengths 6..20, 20 sites each, ids R0, R1, ...
#pragma once

#include <array>
#include <random>
#include <string>
#include <vector>

#include "helix/motif/motif.hpp"

namespace helix::test {

inline std::vector<motif::Motif> random_motifs(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::gamma_distribution<double> gamma(0.5, 1.0);
  std::vector<motif::Motif> out;
  for (size_t i = 0; i < count; ++i) {
    motif::Motif m;
    m.id = "R" + std::to_string(i);
    m.sites = 20;
    const size_t length = 6 + rng() % 15;
    for (size_t k = 0; k < length; ++k) {
      std::array<double, 4> row{};
      double sum = 0;
      for (double& v : row) sum += (v = gamma(rng) + 1e-3);
      for (double& v : row) v /= sum;
      m.probabilities.push_back(row);
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace helix::test
