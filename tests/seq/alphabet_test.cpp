#include "helix/seq/alphabet.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "helix/seq/reverse_complement.hpp"

namespace helix::seq {
namespace {

TEST(Alphabet, AcgtnUsesFindnaChannelOrder) {
  const auto a = Alphabet::from_name("acgtn");
  EXPECT_EQ(a.channels(), 5);
  const std::string symbols = "ACGNT";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(a.code(symbols[i]), i);
    EXPECT_EQ(a.code(static_cast<char>(std::tolower(symbols[i]))), i);
  }
  EXPECT_EQ(a.code('U'), a.code('T'));
  for (char c : std::string("RYKMSWBDHV-*")) EXPECT_EQ(a.code(c), kZeroRow) << c;
}

TEST(Alphabet, AcgtMakesNAZeroRow) {
  const auto a = Alphabet::from_name("acgt");
  EXPECT_EQ(a.channels(), 4);
  EXPECT_EQ(a.code('A'), 0);
  EXPECT_EQ(a.code('C'), 1);
  EXPECT_EQ(a.code('G'), 2);
  EXPECT_EQ(a.code('T'), 3);
  EXPECT_EQ(a.code('N'), kZeroRow);
  auto x = one_hot(encode("ANt", a), 4);
  EXPECT_TRUE(at::equal(x, at::tensor({1.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 1.f})
                               .reshape({3, 4})
                               .t()));
}

TEST(Alphabet, UnknownNameIsAnError) { EXPECT_ANY_THROW(Alphabet::from_name("protein")); }

TEST(ReverseComplement, AcgntIsATrueReverseComplement) {
  const auto a = Alphabet::from_name("acgtn");
  auto codes = encode("ACGNT", a);
  reverse_complement_codes(codes, a);
  std::string out;
  for (auto c : codes) out += a.symbol(c);
  EXPECT_EQ(out, "ANCGT");  // A<->T, C<->G, N fixed, reversed
  EXPECT_EQ(reverse_complement("ACGNTacgRY"), "RYcgtANCGT");
}

TEST(ReverseComplement, InvolutionOnCodesAndOneHot) {
  const auto a = Alphabet::from_name("acgtn");
  const std::string s = "ACGTTGCANNRACGTAGGCT";
  auto codes = encode(s, a);
  auto twice = codes;
  reverse_complement_codes(twice, a);
  reverse_complement_codes(twice, a);
  EXPECT_EQ(twice, codes);
  auto x = one_hot(codes, 5).unsqueeze(0);
  auto rc = reverse_complement_one_hot(x, a);
  EXPECT_TRUE(at::equal(reverse_complement_one_hot(rc, a), x));
  auto rc_codes = codes;
  reverse_complement_codes(rc_codes, a);
  EXPECT_TRUE(at::equal(rc, one_hot(rc_codes, 5).unsqueeze(0)));
}

TEST(ReverseComplement, FlipOfBothAxesIsNotRcInAcgnt) {
  // Documents FinDNA bug B3: flipping positions and channels maps C<->N in ACGNT order.
  const auto a = Alphabet::from_name("acgtn");
  auto x = one_hot(encode("C", a), 5);
  auto flipped = x.flip({0, 1});
  EXPECT_EQ(flipped.argmax(0).item<int64_t>(), a.code('N'));
  EXPECT_EQ(reverse_complement_one_hot(x, a).argmax(0).item<int64_t>(), a.code('G'));
}

}  // namespace
}  // namespace helix::seq
