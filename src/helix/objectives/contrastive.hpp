// Contrastive losses on paired views (IsoCLR/Orthrus, docs/methods/isoclr.md section 4): the
// decoupled contrastive loss (DCL) in the form that produced the released models (two separate
// log-sum-exps over same-view and cross-view negatives, I7), the DCL paper's pooled form, and
// NT-Xent (SimCLR) as an option. Every form works on a *global* batch of which this process owns a
// contiguous shard: the terms are computed for the shard's anchors only, every row of the global
// batch serves as a negative, and gradients flow only through the shard (rows gathered from other
// processes arrive detached).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace helix::objectives {

enum class ContrastiveForm {
  kDclSplit,   // -s(z0_i, z1_i) + LSE_{j!=i} s(z0_i, z0_j) + LSE_{j!=i} s(z0_i, z1_j)
  kDclPooled,  // -s(z0_i, z1_i) + LSE over the union of both negative sets
  kNtXent,     // -s(z0_i, z1_i) + LSE_{k != i over both views} s(z0_i, z_k) (positive included)
};
// "dcl" (split, the default), "dcl_pooled", "ntxent"; UsageError otherwise.
ContrastiveForm contrastive_form_from_name(const std::string& name);

struct ContrastiveOptions {
  ContrastiveForm form = ContrastiveForm::kDclSplit;
  double temperature = 0.1;
};

// z0, z1: [N, D] L2-normalised projections of both views of the global batch (row i of z0 and
// row i of z1 form pair i). The shard is rows [begin, begin + count). positive_weights: [count]
// factors on the positive term of each anchor (pair-type weights), or undefined for 1.
// Returns [2, count]: row 0 the terms l0_i (anchors in view 0), row 1 the terms l1_i.
at::Tensor contrastive_terms(const at::Tensor& z0, const at::Tensor& z1, int64_t begin,
                             int64_t count, const ContrastiveOptions& options,
                             const at::Tensor& positive_weights = at::Tensor());

// The loss of the shard: (mean_i l0_i + mean_i l1_i) / 2, symmetric in the two views. With a
// single process the shard is the whole batch: contrastive_loss(z0, z1, options).
at::Tensor contrastive_loss(const at::Tensor& z0, const at::Tensor& z1, int64_t begin,
                            int64_t count, const ContrastiveOptions& options,
                            const at::Tensor& positive_weights = at::Tensor());
at::Tensor contrastive_loss(const at::Tensor& z0, const at::Tensor& z1,
                            const ContrastiveOptions& options,
                            const at::Tensor& positive_weights = at::Tensor());

// Gradient only through the shard: rows outside [begin, begin + count) are detached.
at::Tensor detach_outside_shard(const at::Tensor& z, int64_t begin, int64_t count);

}  // namespace helix::objectives
