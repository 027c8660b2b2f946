// Batches of positive pairs for IsoCLR: both views of B pairs in one zero-padded tensor (rows
// 0..B-1 the anchors, B..2B-1 their partners), padded to the longest member of either view, with
// the true lengths alongside. Training views are augmented independently (docs/methods/isoclr.md
// section 3): a random right shift of 0..max_shift positions (Saluki's stochastic shift), then
// 15 % of the positions chosen uniformly without replacement with ALL channels zeroed.
#pragma once

#include <ATen/core/Tensor.h>

#include <random>
#include <vector>

#include "helix/data/pairs.hpp"
#include "helix/seq/rna_tracks.hpp"

namespace helix::data {

struct IsoclrViewOptions {
  int64_t channels = 6;  // 6: A C G T, codon, splice; 4: nucleotides only
  seq::RnaTrackOptions tracks;
  bool augment = true;  // false for validation
  double mask_prob = 0.15;
  int64_t max_shift = 3;
};

struct IsoclrBatch {
  at::Tensor x;            // float32 [2B, C, L]
  at::Tensor lengths;      // int64 [2B], shift included
  at::Tensor types;        // int64 [B], PairType of each pair
  at::Tensor mlm_targets;  // int64 [2B, L]: the A/C/G/T code at masked positions, kIgnore else
  std::vector<PairDraw> pairs;
  int64_t pairs_count() const { return static_cast<int64_t>(pairs.size()); }
};

IsoclrBatch make_isoclr_batch(const PairCorpus& corpus, const std::vector<PairDraw>& pairs,
                              const IsoclrViewOptions& options, std::mt19937_64& rng);

}  // namespace helix::data
