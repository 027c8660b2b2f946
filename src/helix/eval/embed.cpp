#include "helix/eval/embed.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <numeric>

#include "helix/data/batches.hpp"
#include "helix/nn/pooling.hpp"
#include "helix/util/error.hpp"

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

void check_sequence_lengths(const nn::EncoderBase& encoder, const std::string& path,
                            const std::vector<std::string>& sequences,
                            const std::vector<int64_t>& lines) {
  for (size_t i = 0; i < sequences.size(); ++i) {
    const auto length = static_cast<int64_t>(sequences[i].size());
    if (encoder.output_length(length) > 0) continue;
    // The shortest length with an output: output_length is monotone in the length for every
    // architecture, so a doubling then bisection search finds it (or none: the input is too long).
    int64_t hi = std::max<int64_t>(length, 1);
    while (encoder.output_length(hi) == 0 && hi < (int64_t(1) << 40)) hi *= 2;
    const int64_t line = i < lines.size() ? lines[i] : 0;
    if (encoder.output_length(hi) == 0 || hi <= length) {
      throw InputError(path, line,
                       "sequence of " + std::to_string(length) +
                           " bases is longer than this model's fixed input length");
    }
    int64_t lo = length;  // no output at lo, an output at hi
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      (encoder.output_length(mid) > 0 ? hi : lo) = mid;
    }
    throw InputError(path, line,
                     "sequence of " + std::to_string(length) +
                         " bases is shorter than this model's receptive field: it needs at least " +
                         std::to_string(hi) + " bases");
  }
}

}  // namespace helix::eval
