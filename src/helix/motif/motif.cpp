#include "helix/motif/motif.hpp"

#include <algorithm>

namespace helix::motif {

std::vector<std::array<double, 4>> normalise_rows(const std::vector<std::array<double, 4>>& rows) {
  std::vector<std::array<double, 4>> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    double sum = 0;
    for (double v : rows[i]) sum += v;
    for (int b = 0; b < 4; ++b) out[i][b] = sum > 0 ? rows[i][b] / sum : 0.25;
  }
  return out;
}

Motif reverse_complement(const Motif& motif) {
  Motif out = motif;
  std::reverse(out.probabilities.begin(), out.probabilities.end());
  for (auto& row : out.probabilities) row = {row[3], row[2], row[1], row[0]};
  return out;
}

}  // namespace helix::motif
