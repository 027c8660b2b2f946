// Pooling over positions.
#pragma once

#include <ATen/core/Tensor.h>

namespace helix::nn {

// Mean of features [B, L, D] over the first lengths[b] positions of each row (all L when
// `lengths` is undefined) -> [B, D]. Padding never enters the mean (FinDNA bug B8).
at::Tensor masked_mean(const at::Tensor& features, const at::Tensor& lengths);

}  // namespace helix::nn
