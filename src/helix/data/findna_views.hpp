// FinDNA's two views of each window, built on the CPU in loader threads with a per-batch RNG:
//  - student: masked (seq::apply_mask), Gaussian noise on every sequence channel, and with
//    probability rc_prob a true reverse complement whose MNM targets are flipped with it (bug B3);
//  - teacher: clean, augmented by deletion -> insertion -> translocation (bug B4), unmasked.
// Both get `cls_tokens` all-zero rows appended after the sequence.
#pragma once

#include <ATen/core/Tensor.h>

#include <random>
#include <string>
#include <vector>

#include "helix/seq/alphabet.hpp"
#include "helix/seq/mask.hpp"

namespace helix::data {

// How the student view's reverse complement is formed.
enum class RcMode {
  kComplement,  // corrected: reverse positions, complement channels, flip targets and mask too
  kFlipAxes,    // original code (bug B3): reverse positions and channel order (in ACGNT order
                // A<->T, C<->N, G fixed); targets and mask stay on the forward strand
};

struct FindnaViewOptions {
  seq::MaskOptions mask;
  RcMode rc_mode = RcMode::kComplement;
  bool translocation_only = false;  // original code (bug B4): only the last augmentation acts
  double noise_std = 0.2;
  double rc_prob = 0.5;
  int64_t max_deletion = 20;
  int64_t max_insertion = 20;
  int64_t max_translocation = 20;
  int64_t cls_tokens = 10;
};

struct FindnaBatch {
  at::Tensor student;   // [B, C, L + cls] float32
  at::Tensor teacher;   // [B, C, L + cls] float32
  at::Tensor mlm_mask;  // [B, L] bool: positions selected for masking (target strand)
  at::Tensor original;  // [B, L] int64: target-strand channel of every position, -1 = zero row
};

// Masked-nucleotide targets [B, L] int64: the original channel at selected positions whose
// original row is not all zero, objectives::kIgnore elsewhere.
at::Tensor mlm_targets(const FindnaBatch& batch);

// All windows must have the same length.
FindnaBatch make_findna_batch(const std::vector<std::string>& windows,
                              const seq::Alphabet& alphabet, const FindnaViewOptions& options,
                              std::mt19937_64& rng);

}  // namespace helix::data
