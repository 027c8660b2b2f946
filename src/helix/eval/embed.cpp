#include "helix/eval/embed.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <numeric>

#include "helix/data/batches.hpp"
#include "helix/nn/pooling.hpp"

namespace helix::eval {

at::Tensor embed_sequences(nn::EncoderBase& encoder, const seq::Alphabet& alphabet,
                           const std::vector<std::string>& sequences, const EmbedOptions& options) {
  torch::NoGradGuard no_grad;
  encoder.eval();
  const torch::Device device(options.device);
  encoder.to(device);
  const auto n = static_cast<int64_t>(sequences.size());
  auto out = at::empty({n, encoder.output_dim()}, at::kFloat);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return sequences[a].size() < sequences[b].size(); });
  for (int64_t begin = 0; begin < n;) {
    const auto length = sequences[order[begin]].size();
    int64_t end = begin;
    while (end < n && end - begin < options.batch_size && sequences[order[end]].size() == length) {
      ++end;
    }
    const std::vector<int64_t> indices(order.begin() + begin, order.begin() + end);
    auto batch = data::one_hot_batch(sequences, indices, alphabet, encoder.in_channels()).x;
    auto pooled = nn::masked_mean(encoder.forward(batch.to(device)), at::Tensor()).to(at::kCPU);
    out.index_copy_(0, at::tensor(indices, at::kLong), pooled.to(at::kFloat));
    begin = end;
  }
  return out;
}

}  // namespace helix::eval
