// Mini-batches of variable-length sequences: indices grouped by length so that padding stays
// small, and one-hot batch tensors with the true lengths alongside (for masked pooling).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "helix/seq/alphabet.hpp"

namespace helix::data {

// Splits 0..N-1 into batches of at most batch_size. Without shuffling: sorted by length (stable),
// cut in order. With shuffling (seeded): the indices are shuffled, cut into chunks of
// 50 * batch_size, each chunk sorted by length and cut into batches, and the batch order shuffled,
// so batches are random yet nearly uniform in length. Deterministic for a given seed.
std::vector<std::vector<int64_t>> length_grouped_batches(const std::vector<int64_t>& lengths,
                                                         int64_t batch_size, bool shuffle,
                                                         uint64_t seed);

struct SequenceBatch {
  at::Tensor x;        // float32 [B, C, L_max], zero rows past each sequence's end
  at::Tensor lengths;  // int64 [B]
};

// One-hot batch of sequences[indices[i]] (codes per the alphabet; N and IUPAC as zero rows).
// With `channels` above the alphabet's, the extra rows are zero: the codon and splice tracks of an
// IsoCLR RNA encoder, which a plain sequence has no annotation for.
SequenceBatch one_hot_batch(const std::vector<std::string>& sequences,
                            const std::vector<int64_t>& indices, const seq::Alphabet& alphabet,
                            int64_t channels = 0);

}  // namespace helix::data
