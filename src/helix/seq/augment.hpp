// Length-preserving sequence augmentations on codes, after EvoAug (Lee et al. 2023), as FinDNA's
// teacher view chains them: deletion -> insertion -> translocation (the original code overwrote
// each result with the next, so only the translocation took effect: bug B4).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "helix/seq/alphabet.hpp"

namespace helix::seq {

// Deletes a random segment of 0..max_len positions and refills the length with random bases,
// half on each end (as EvoAug's RandomDeletion pads).
void random_deletion(std::vector<int8_t>& codes, int64_t max_len, const Alphabet& alphabet,
                     std::mt19937_64& rng);

// Inserts a random segment of 0..max_len random bases at a random position, then trims the same
// number of positions, half from each end, to restore the length.
void random_insertion(std::vector<int8_t>& codes, int64_t max_len, const Alphabet& alphabet,
                      std::mt19937_64& rng);

// Cyclic roll by a uniform shift in 0..max_shift whose sign is flipped with probability 0.5.
// Returns the signed shift applied (out[t] = in[(t - shift) mod L]).
int64_t random_translocation(std::vector<int8_t>& codes, int64_t max_shift, std::mt19937_64& rng);

}  // namespace helix::seq
