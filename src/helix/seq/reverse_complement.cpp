#include "helix/seq/reverse_complement.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>

namespace helix::seq {

void reverse_complement_codes(std::vector<int8_t>& codes, const Alphabet& alphabet) {
  std::reverse(codes.begin(), codes.end());
  for (auto& c : codes) c = alphabet.complement(c);
}

std::string reverse_complement(const std::string& sequence) {
  static const std::array<char, 256> table = [] {
    std::array<char, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = static_cast<char>(i);
    const std::string from = "ACGTUNRYKMSWBDHVacgtunrykmswbdhv";
    const std::string to = "TGCAANYRMKSWVHDBtgcaanyrmkswvhdb";
    for (size_t i = 0; i < from.size(); ++i) t[static_cast<unsigned char>(from[i])] = to[i];
    return t;
  }();
  std::string out(sequence.rbegin(), sequence.rend());
  for (auto& c : out) c = table[static_cast<unsigned char>(c)];
  return out;
}

at::Tensor reverse_complement_one_hot(const at::Tensor& one_hot, const Alphabet& alphabet) {
  std::vector<int64_t> perm(alphabet.channels());
  for (int64_t c = 0; c < alphabet.channels(); ++c) {
    perm[c] = static_cast<int64_t>(alphabet.complement(static_cast<int8_t>(c)));
  }
  auto index = at::tensor(perm, at::kLong).to(one_hot.device());
  return one_hot.index_select(-2, index).flip({-1});
}

}  // namespace helix::seq
