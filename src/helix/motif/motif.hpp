// A DNA motif as a position probability matrix over A, C, G, T (the JASPAR and MEME order).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace helix::motif {

struct Motif {
  std::string id;    // e.g. MA0139.1
  std::string name;  // e.g. CTCF (may be empty)
  // One row per position: probabilities of A, C, G, T, each row summing to 1.
  std::vector<std::array<double, 4>> probabilities;
  double sites = 0.0;  // number of sites behind the matrix (0 when unknown)

  size_t length() const { return probabilities.size(); }
};

// Rows of counts (or weights) -> probabilities, each row divided by its sum. A row that sums to
// 0 becomes uniform.
std::vector<std::array<double, 4>> normalise_rows(const std::vector<std::array<double, 4>>& rows);

// The motif of the reverse-complement strand: positions reversed, A<->T and C<->G.
Motif reverse_complement(const Motif& motif);

}  // namespace helix::motif
