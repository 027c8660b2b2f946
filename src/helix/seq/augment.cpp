#include "helix/seq/augment.hpp"

#include <algorithm>

namespace helix::seq {
namespace {
int8_t random_base(const Alphabet& alphabet, std::mt19937_64& rng) {
  return alphabet.bases()[std::uniform_int_distribution<int>(0, 3)(rng)];
}
}  // namespace

void random_deletion(std::vector<int8_t>& codes, int64_t max_len, const Alphabet& alphabet,
                     std::mt19937_64& rng) {
  const auto length = static_cast<int64_t>(codes.size());
  const int64_t d =
      std::min<int64_t>(std::uniform_int_distribution<int64_t>(0, max_len)(rng), length);
  if (d == 0) return;
  const int64_t start = std::uniform_int_distribution<int64_t>(0, length - d)(rng);
  std::vector<int8_t> out;
  out.reserve(length);
  const int64_t left = d / 2;
  for (int64_t i = 0; i < left; ++i) out.push_back(random_base(alphabet, rng));
  out.insert(out.end(), codes.begin(), codes.begin() + start);
  out.insert(out.end(), codes.begin() + start + d, codes.end());
  while (static_cast<int64_t>(out.size()) < length) out.push_back(random_base(alphabet, rng));
  codes.swap(out);
}

void random_insertion(std::vector<int8_t>& codes, int64_t max_len, const Alphabet& alphabet,
                      std::mt19937_64& rng) {
  const auto length = static_cast<int64_t>(codes.size());
  const int64_t d = std::uniform_int_distribution<int64_t>(0, max_len)(rng);
  if (d == 0 || length == 0) return;
  const int64_t at = std::uniform_int_distribution<int64_t>(0, length)(rng);
  std::vector<int8_t> grown;
  grown.reserve(length + d);
  grown.insert(grown.end(), codes.begin(), codes.begin() + at);
  for (int64_t i = 0; i < d; ++i) grown.push_back(random_base(alphabet, rng));
  grown.insert(grown.end(), codes.begin() + at, codes.end());
  const int64_t left = d / 2;
  std::copy(grown.begin() + left, grown.begin() + left + length, codes.begin());
}

int64_t random_translocation(std::vector<int8_t>& codes, int64_t max_shift, std::mt19937_64& rng) {
  const auto length = static_cast<int64_t>(codes.size());
  int64_t shift = std::uniform_int_distribution<int64_t>(0, max_shift)(rng);
  if (std::bernoulli_distribution(0.5)(rng)) shift = -shift;
  if (length == 0 || shift % length == 0) return shift;
  const int64_t k = ((shift % length) + length) % length;
  std::rotate(codes.begin(), codes.end() - k, codes.end());
  return shift;
}

}  // namespace helix::seq
