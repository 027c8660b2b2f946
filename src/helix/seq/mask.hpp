// BERT-style position masking on codes, as FinDNA's student view uses it: each position is
// selected with probability `select_prob`; a selected position becomes an all-zero row with
// probability `zero_prob`, a uniformly random symbol (any channel, N included in `acgtn`) with
// probability `random_prob`, and is left unchanged otherwise. All selected positions count as
// masked for the loss.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace helix::seq {

struct MaskOptions {
  double select_prob = 0.3;
  double zero_prob = 0.8;
  double random_prob = 0.1;
};

// Masks codes[0, length) in place; writes 1 into `selected[i]` for every selected position and
// 0 elsewhere.
void apply_mask(int8_t* codes, uint8_t* selected, int64_t length, int64_t channels,
                const MaskOptions& options, std::mt19937_64& rng);

}  // namespace helix::seq
