// Mean-pooled embeddings of sequences under a trained encoder.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "helix/nn/encoder.hpp"
#include "helix/seq/alphabet.hpp"

namespace helix::eval {

struct EmbedOptions {
  int64_t batch_size = 64;
  std::string device = "cpu";
};

// Returns float32 [N, D], row i for sequences[i]. Sequences are batched with others of the same
// length, so no padding ever enters the encoder (the Swan mixer mixes globally and circularly:
// padding would change the result) and the mean runs over the sequence's own positions. For an
// encoder with more input channels than the alphabet (an IsoCLR 6-track RNA encoder), the extra
// tracks (codon, splice) are all zero: a plain sequence has no annotation.
at::Tensor embed_sequences(nn::EncoderBase& encoder, const seq::Alphabet& alphabet,
                           const std::vector<std::string>& sequences, const EmbedOptions& options);

// Throws InputError at `path`, line lines[i], for the first sequence the encoder gives no output
// position for: shorter than a CNN's receptive field (the message names the minimum length), or
// longer than a dense model's fixed input. Call before any work or output, so a bad record is
// found in seconds, not after the batches before it.
void check_sequence_lengths(const nn::EncoderBase& encoder, const std::string& path,
                            const std::vector<std::string>& sequences,
                            const std::vector<int64_t>& lines);

}  // namespace helix::eval
