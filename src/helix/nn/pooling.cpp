#include "helix/nn/pooling.hpp"

#include <ATen/ATen.h>

namespace helix::nn {

at::Tensor masked_mean(const at::Tensor& features, const at::Tensor& lengths) {
  if (!lengths.defined()) return features.mean(1);
  const int64_t length = features.size(1);
  auto positions = at::arange(length, features.options().dtype(at::kLong));
  auto valid = lengths.to(features.device()).unsqueeze(1).clamp(1, length);
  auto mask = (positions.unsqueeze(0) < valid).to(features.scalar_type()).unsqueeze(2);
  return (features * mask).sum(1) / valid.to(features.scalar_type());
}

}  // namespace helix::nn
