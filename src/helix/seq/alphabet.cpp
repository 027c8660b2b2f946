#include "helix/seq/alphabet.hpp"

#include <ATen/ATen.h>

#include "helix/util/error.hpp"

namespace helix::seq {

Alphabet Alphabet::from_name(const std::string& name) {
  Alphabet a;
  a.name_ = name;
  if (name == "acgt") {
    a.symbols_ = "ACGT";
  } else if (name == "acgtn") {
    a.symbols_ = "ACGNT";
  } else {
    throw UsageError("unknown alphabet '" + name + "' (expected acgt or acgtn)");
  }
  a.channels_ = static_cast<int64_t>(a.symbols_.size());
  a.table_.fill(kZeroRow);
  for (int64_t i = 0; i < a.channels_; ++i) {
    const char s = a.symbols_[i];
    a.table_[static_cast<unsigned char>(s)] = static_cast<int8_t>(i);
    a.table_[static_cast<unsigned char>(s - 'A' + 'a')] = static_cast<int8_t>(i);
  }
  a.table_['U'] = a.table_['T'];
  a.table_['u'] = a.table_['T'];
  auto idx = [&](char c) { return a.table_[static_cast<unsigned char>(c)]; };
  a.complement_.fill(kZeroRow);
  a.complement_[idx('A')] = idx('T');
  a.complement_[idx('T')] = idx('A');
  a.complement_[idx('C')] = idx('G');
  a.complement_[idx('G')] = idx('C');
  if (a.channels_ == 5) a.complement_[idx('N')] = idx('N');
  a.bases_ = {idx('A'), idx('C'), idx('G'), idx('T')};
  return a;
}

std::vector<int8_t> encode(const std::string& sequence, const Alphabet& alphabet) {
  std::vector<int8_t> codes(sequence.size());
  for (size_t i = 0; i < sequence.size(); ++i) codes[i] = alphabet.code(sequence[i]);
  return codes;
}

void one_hot_into(const int8_t* codes, int64_t length, int64_t channels, int64_t row_stride,
                  float* out) {
  for (int64_t i = 0; i < length; ++i) {
    const int8_t c = codes[i];
    if (c >= 0 && c < channels) out[c * row_stride + i] = 1.0f;
  }
}

at::Tensor one_hot(const std::vector<int8_t>& codes, int64_t channels) {
  const auto length = static_cast<int64_t>(codes.size());
  auto out = at::zeros({channels, length}, at::kFloat);
  one_hot_into(codes.data(), length, channels, length, out.data_ptr<float>());
  return out;
}

}  // namespace helix::seq
