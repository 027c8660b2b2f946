#include "helix/eval/kmer.hpp"

#include <array>
#include <string>

#include "helix/util/error.hpp"

namespace helix::eval {
namespace {

constexpr int kMaxK = 8;

void check_k(int k) {
  if (k < 1 || k > kMaxK) {
    throw UsageError("k-mer size must be in [1, " + std::to_string(kMaxK) + "], got " +
                     std::to_string(k));
  }
}

// Base code per byte: 0..3 for ACGT/U in either case, -1 otherwise.
std::array<int8_t, 256> make_codes() {
  std::array<int8_t, 256> codes{};
  codes.fill(-1);
  const char* upper = "ACGT";
  const char* lower = "acgt";
  for (int i = 0; i < 4; ++i) {
    codes[static_cast<unsigned char>(upper[i])] = static_cast<int8_t>(i);
    codes[static_cast<unsigned char>(lower[i])] = static_cast<int8_t>(i);
  }
  codes[static_cast<unsigned char>('U')] = 3;
  codes[static_cast<unsigned char>('u')] = 3;
  return codes;
}

}  // namespace

at::Tensor kmer_counts(const std::vector<std::string>& seqs, int k, bool normalise) {
  check_k(k);
  static const std::array<int8_t, 256> codes = make_codes();
  const int64_t width = int64_t{1} << (2 * k);
  const uint32_t mask = static_cast<uint32_t>(width - 1);
  at::Tensor out = at::zeros({static_cast<int64_t>(seqs.size()), width}, at::kFloat);
  float* data = out.data_ptr<float>();
  for (size_t row = 0; row < seqs.size(); ++row) {
    float* counts = data + static_cast<int64_t>(row) * width;
    uint32_t code = 0;
    int run = 0;  // number of consecutive valid bases ending here
    int64_t valid = 0;
    for (char ch : seqs[row]) {
      const int8_t c = codes[static_cast<unsigned char>(ch)];
      if (c < 0) {
        run = 0;
        code = 0;
        continue;
      }
      code = ((code << 2) | static_cast<uint32_t>(c)) & mask;
      if (run < k) ++run;
      if (run == k) {
        counts[code] += 1.0f;
        ++valid;
      }
    }
    if (normalise && valid > 0) {
      const float total = static_cast<float>(valid);
      for (int64_t j = 0; j < width; ++j) counts[j] /= total;
    }
  }
  return out;
}

std::string kmer_string(int64_t index, int k) {
  check_k(k);
  const int64_t width = int64_t{1} << (2 * k);
  if (index < 0 || index >= width) {
    throw UsageError("k-mer index " + std::to_string(index) + " outside [0, " +
                     std::to_string(width) + ")");
  }
  std::string out(static_cast<size_t>(k), 'A');
  for (int i = k - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = "ACGT"[index & 3];
    index >>= 2;
  }
  return out;
}

}  // namespace helix::eval
