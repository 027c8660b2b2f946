// The Swan/ChordMixer channel-group shift fused with the residual add:
//   out[b, t, c] = x[b, t, c] + h[b, (t + s_g) mod L, c]   for c in group g,
// with s_0 = 0 and s_g = 2^(g-1) for g >= 1, groups of `group_size` channels (the last one
// smaller when the width is not a multiple). One pass over memory instead of a roll per group,
// a concatenation and an add; the backward pass is the same kernel with the shifts negated.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace helix::nn {

// x, h: [B, L, D]. Differentiable in both.
at::Tensor shift_add(const at::Tensor& x, const at::Tensor& h, int64_t group_size);

// Reference composition (split, roll per group, concatenate, add) used by tests.
at::Tensor shift_add_reference(const at::Tensor& x, const at::Tensor& h, int64_t group_size);

}  // namespace helix::nn
