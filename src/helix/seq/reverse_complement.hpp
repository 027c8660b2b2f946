// Reverse complement on codes and on one-hot tensors. For a channel-first one-hot [.., C, L] it
// flips the length axis and permutes channels; with ACGT (or ACGNT) order that is a true reverse
// complement (A<->T, C<->G, N fixed), unlike a plain flip of both axes in ACGNT order (FinDNA's
// bug B3, which swaps C and N).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "helix/seq/alphabet.hpp"

namespace helix::seq {

// Reverse complement of codes, in place.
void reverse_complement_codes(std::vector<int8_t>& codes, const Alphabet& alphabet);

// Reverse complement of a sequence string (IUPAC codes complemented, case kept).
std::string reverse_complement(const std::string& sequence);

// Reverse complement of a one-hot tensor whose last two dims are [C, L].
at::Tensor reverse_complement_one_hot(const at::Tensor& one_hot, const Alphabet& alphabet);

}  // namespace helix::seq
