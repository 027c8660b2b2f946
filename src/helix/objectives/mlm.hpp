// Masked-nucleotide modelling loss. Targets are channel indices at the positions that count and
// kIgnore elsewhere (unmasked positions, and masked positions whose original row was all zero),
// so changing the logits at an unmasked position can never change the loss (FinDNA bug B2).
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <string>

namespace helix::objectives {

constexpr int64_t kIgnore = -100;

// kScrambledBce is the original code's loss (bug B2, see scrambled_mask_bce); it needs the mask
// and original codes, so masked_nucleotide_loss() does not take it.
enum class MlmLoss { kSoftmax, kBce, kScrambledBce };
MlmLoss mlm_loss_from_name(const std::string& name);  // "softmax" | "bce" | "scrambled_bce"

// The original FinDNA code's loss (bug B2): the [B, L] mask is repeated C times along the
// positions and *reshaped* to [B, L, C], so entry (t, c) is selected by mask[(C t + c) mod L],
// unrelated to position t; BCE with logits is then taken on the selected entries against the
// one-hot of `original` ([B, L] channel codes, -1 = all-zero row).
at::Tensor scrambled_mask_bce(const at::Tensor& logits, const at::Tensor& mask,
                              const at::Tensor& original);

// logits [B, L, C], targets [B, L] int64. Softmax: cross-entropy over C channels averaged over
// counted positions. BCE: independent sigmoid per channel against the one-hot target, averaged
// over counted positions and channels. Returns 0 (with a graph) when no position counts.
at::Tensor masked_nucleotide_loss(const at::Tensor& logits, const at::Tensor& targets,
                                  MlmLoss kind = MlmLoss::kSoftmax);

struct MlmAccuracy {
  int64_t correct = 0;
  int64_t counted = 0;
  std::array<int64_t, 8> target_counts{};  // counted positions per target channel
  double accuracy() const { return counted ? static_cast<double>(correct) / counted : 0.0; }
  // Counted positions whose target is the most frequent target channel: what always
  // predicting that base would get right.
  int64_t majority() const;
  double majority_accuracy() const {
    return counted ? static_cast<double>(majority()) / counted : 0.0;
  }
  void merge(const MlmAccuracy& other);
};
MlmAccuracy masked_nucleotide_accuracy(const at::Tensor& logits, const at::Tensor& targets);

}  // namespace helix::objectives
