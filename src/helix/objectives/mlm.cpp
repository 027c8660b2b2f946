#include "helix/objectives/mlm.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "helix/util/error.hpp"

namespace helix::objectives {

MlmLoss mlm_loss_from_name(const std::string& name) {
  if (name == "softmax") return MlmLoss::kSoftmax;
  if (name == "bce") return MlmLoss::kBce;
  if (name == "scrambled_bce") return MlmLoss::kScrambledBce;
  throw UsageError("unknown mnm_loss '" + name + "' (expected softmax, bce or scrambled_bce)");
}

at::Tensor masked_nucleotide_loss(const at::Tensor& logits, const at::Tensor& targets,
                                  MlmLoss kind) {
  const int64_t channels = logits.size(-1);
  auto flat_logits = logits.reshape({-1, channels}).to(at::kFloat);
  auto flat_targets = targets.reshape({-1});
  auto counted = flat_targets.ne(kIgnore);
  if (counted.sum().item<int64_t>() == 0) return flat_logits.sum() * 0.0;
  if (kind == MlmLoss::kScrambledBce) throw Error("scrambled_bce needs scrambled_mask_bce()");
  if (kind == MlmLoss::kSoftmax) {
    return at::cross_entropy_loss(flat_logits, flat_targets, {}, at::Reduction::Mean, kIgnore);
  }
  auto index = counted.nonzero().squeeze(1);
  auto selected = flat_logits.index_select(0, index);
  auto one_hot = at::one_hot(flat_targets.index_select(0, index), channels).to(at::kFloat);
  return at::binary_cross_entropy_with_logits(selected, one_hot);
}

at::Tensor scrambled_mask_bce(const at::Tensor& logits, const at::Tensor& mask,
                              const at::Tensor& original) {
  const int64_t batch = logits.size(0), length = logits.size(1), channels = logits.size(2);
  auto selected = mask.repeat({1, channels}).reshape({batch, length, channels});
  auto one_hot = at::one_hot(original.clamp_min(0), channels).to(at::kFloat) *
                 original.ge(0).unsqueeze(-1).to(at::kFloat);
  auto chosen = selected.nonzero().size(0);
  if (chosen == 0) return logits.sum() * 0.0;
  return at::binary_cross_entropy_with_logits(logits.to(at::kFloat).masked_select(selected),
                                              one_hot.masked_select(selected));
}

MlmAccuracy masked_nucleotide_accuracy(const at::Tensor& logits, const at::Tensor& targets) {
  MlmAccuracy acc;
  auto flat_targets = targets.reshape({-1}).to(at::kCPU);
  auto predicted = logits.reshape({-1, logits.size(-1)}).argmax(1).to(at::kCPU);
  auto counted = flat_targets.ne(kIgnore);
  acc.counted = counted.sum().item<int64_t>();
  acc.correct = (predicted.eq(flat_targets) & counted).sum().item<int64_t>();
  if (acc.counted > 0) {
    auto bins = at::bincount(flat_targets.masked_select(counted));
    for (int64_t c = 0; c < bins.size(0) && c < static_cast<int64_t>(acc.target_counts.size());
         ++c) {
      acc.target_counts[c] = bins[c].item<int64_t>();
    }
  }
  return acc;
}

int64_t MlmAccuracy::majority() const {
  return *std::max_element(target_counts.begin(), target_counts.end());
}

void MlmAccuracy::merge(const MlmAccuracy& other) {
  correct += other.correct;
  counted += other.counted;
  for (size_t c = 0; c < target_counts.size(); ++c) target_counts[c] += other.target_counts[c];
}

}  // namespace helix::objectives
