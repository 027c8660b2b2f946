// Nucleotide alphabets and one-hot encoding. Sequences are first turned into small integer codes
// (a channel index, or kZeroRow for symbols encoded as an all-zero row), which is what the data
// pipeline manipulates; one-hot tensors are built from codes at the end.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace helix::seq {

// Code for a position encoded as an all-zero row (N in `acgt`, IUPAC ambiguity codes, [MASK],
// padding and CLS rows).
constexpr int8_t kZeroRow = -1;

class Alphabet {
 public:
  // "acgt": channels A C G T (JASPAR/MEME order); N and other IUPAC codes -> zero row.
  // "acgtn": FinDNA's five channels in the order A C G N T (the sorted order the original code
  // produces); N is a real channel, other IUPAC codes -> zero row.
  static Alphabet from_name(const std::string& name);

  const std::string& name() const { return name_; }
  int64_t channels() const { return channels_; }
  // Channel of a character (either case; U reads as T), or kZeroRow.
  int8_t code(char c) const { return table_[static_cast<unsigned char>(c)]; }
  // Channel of the complementary base for each channel (A<->T, C<->G, N fixed).
  int8_t complement(int8_t code) const { return code < 0 ? code : complement_[code]; }
  // Channels of the four real bases A, C, G, T (for drawing random DNA).
  const std::array<int8_t, 4>& bases() const { return bases_; }
  // Symbol of a channel (for decoding and tests).
  char symbol(int8_t code) const { return code < 0 ? 'N' : symbols_[code]; }

 private:
  std::string name_;
  int64_t channels_ = 0;
  std::string symbols_;
  std::array<int8_t, 256> table_{};
  std::array<int8_t, 8> complement_{};
  std::array<int8_t, 4> bases_{};
};

// Codes of a sequence. Characters outside the alphabet (N in `acgt`, IUPAC) give kZeroRow;
// validation of what a file may contain happens in the readers.
std::vector<int8_t> encode(const std::string& sequence, const Alphabet& alphabet);

// One-hot [C, L] float32 tensor of codes; kZeroRow positions are all zero.
at::Tensor one_hot(const std::vector<int8_t>& codes, int64_t channels);

// Writes the one-hot of `codes` into a preallocated channel-first buffer of `channels` rows,
// each `row_stride` floats apart (so several sequences can share one batch tensor). The buffer
// must be zero-initialised.
void one_hot_into(const int8_t* codes, int64_t length, int64_t channels, int64_t row_stride,
                  float* out);

}  // namespace helix::seq
