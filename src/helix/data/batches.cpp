#include "helix/data/batches.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "helix/util/error.hpp"

namespace helix::data {

std::vector<std::vector<int64_t>> length_grouped_batches(const std::vector<int64_t>& lengths,
                                                         int64_t batch_size, bool shuffle,
                                                         uint64_t seed) {
  if (batch_size < 1) throw UsageError("batch size must be positive");
  const auto n = static_cast<int64_t>(lengths.size());
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  if (shuffle) std::shuffle(order.begin(), order.end(), rng);
  const int64_t chunk = shuffle ? 50 * batch_size : std::max<int64_t>(n, 1);
  std::vector<std::vector<int64_t>> batches;
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t end = std::min(n, begin + chunk);
    std::stable_sort(order.begin() + begin, order.begin() + end,
                     [&](int64_t a, int64_t b) { return lengths[a] < lengths[b]; });
    for (int64_t b = begin; b < end; b += batch_size) {
      batches.emplace_back(order.begin() + b, order.begin() + std::min(end, b + batch_size));
    }
  }
  if (shuffle) std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

SequenceBatch one_hot_batch(const std::vector<std::string>& sequences,
                            const std::vector<int64_t>& indices, const seq::Alphabet& alphabet,
                            int64_t channels) {
  int64_t max_length = 0;
  for (auto i : indices) {
    max_length = std::max<int64_t>(max_length, static_cast<int64_t>(sequences.at(i).size()));
  }
  const auto b = static_cast<int64_t>(indices.size());
  const int64_t symbols = alphabet.channels();
  channels = std::max(channels, symbols);
  SequenceBatch batch;
  batch.x = at::zeros({b, channels, max_length}, at::kFloat);
  batch.lengths = at::empty({b}, at::kLong);
  float* data = batch.x.data_ptr<float>();
  auto* lengths = batch.lengths.data_ptr<int64_t>();
  for (int64_t k = 0; k < b; ++k) {
    const auto& s = sequences[indices[k]];
    const auto codes = seq::encode(s, alphabet);
    lengths[k] = static_cast<int64_t>(s.size());
    seq::one_hot_into(codes.data(), lengths[k], symbols, max_length,
                      data + k * channels * max_length);
  }
  return batch;
}

}  // namespace helix::data
