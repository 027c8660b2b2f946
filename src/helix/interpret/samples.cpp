#include "helix/interpret/samples.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <unordered_set>

#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"

namespace helix::interpret {
namespace {
constexpr char kMagic[8] = {'H', 'X', 'S', 'A', 'M', 'P', '0', '1'};
}

void SampleSet::append(const uint8_t* sequence_bases, float value) {
  bases.insert(bases.end(), sequence_bases, sequence_bases + length);
  activation.push_back(value);
}

SampleSet SampleSet::subset(const std::vector<int64_t>& keep) const {
  SampleSet out;
  out.length = length;
  out.bases.reserve(keep.size() * static_cast<size_t>(length));
  out.activation.reserve(keep.size());
  for (const auto i : keep) out.append(sequence(i), activation[static_cast<size_t>(i)]);
  return out;
}

float SampleSet::max_activation() const {
  return activation.empty() ? 0.0f : *std::max_element(activation.begin(), activation.end());
}

void deduplicate(SampleSet& samples) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(static_cast<size_t>(samples.size()) * 2);
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < samples.size(); ++i) {
    std::string_view key(reinterpret_cast<const char*>(samples.sequence(i)),
                         static_cast<size_t>(samples.length));
    if (seen.insert(key).second) keep.push_back(i);
  }
  if (static_cast<int64_t>(keep.size()) != samples.size()) samples = samples.subset(keep);
}

void stratified_subsample(SampleSet& samples, int64_t cap, int64_t bins, std::mt19937_64& rng) {
  std::vector<int64_t> positive;
  for (int64_t i = 0; i < samples.size(); ++i) {
    if (samples.activation[static_cast<size_t>(i)] > 0) positive.push_back(i);
  }
  if (static_cast<int64_t>(positive.size()) <= cap) {
    if (static_cast<int64_t>(positive.size()) != samples.size()) samples = samples.subset(positive);
    return;
  }
  const double top = samples.max_activation();
  std::vector<std::vector<int64_t>> members(static_cast<size_t>(bins));
  for (const auto i : positive) {
    const double a = samples.activation[static_cast<size_t>(i)];
    auto b = static_cast<int64_t>(a / top * static_cast<double>(bins));
    b = std::clamp<int64_t>(b == bins ? bins - 1 : b, 0, bins - 1);
    members[static_cast<size_t>(b)].push_back(i);
  }
  const int64_t per_bin = std::max<int64_t>(1, cap / bins);
  std::vector<int64_t> keep;
  for (auto& bin : members) {
    if (static_cast<int64_t>(bin.size()) > per_bin) {
      std::shuffle(bin.begin(), bin.end(), rng);
      bin.resize(static_cast<size_t>(per_bin));
    }
    keep.insert(keep.end(), bin.begin(), bin.end());
  }
  std::sort(keep.begin(), keep.end());
  samples = samples.subset(keep);
}

std::string sequence_string(const SampleSet& samples, int64_t i) {
  static const char kBases[] = "ACGT";
  std::string s(static_cast<size_t>(samples.length), 'N');
  const uint8_t* seq = samples.sequence(i);
  for (int64_t p = 0; p < samples.length; ++p) s[static_cast<size_t>(p)] = kBases[seq[p] & 3];
  return s;
}

void save_samples(const std::string& path, const SampleSet& samples) {
  std::string data(kMagic, sizeof(kMagic));
  const int64_t header[2] = {samples.length, samples.size()};
  data.append(reinterpret_cast<const char*>(header), sizeof(header));
  data.append(reinterpret_cast<const char*>(samples.bases.data()), samples.bases.size());
  data.append(reinterpret_cast<const char*>(samples.activation.data()),
              samples.activation.size() * sizeof(float));
  write_file_atomic(path, data);
}

SampleSet load_samples(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot open the sample file");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int64_t header[2] = {0, 0};
  if (data.size() < sizeof(kMagic) + sizeof(header) ||
      std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    throw InputError(path, 0, "not a helix NeuronMotif sample file");
  }
  std::memcpy(header, data.data() + sizeof(kMagic), sizeof(header));
  SampleSet s;
  s.length = header[0];
  const int64_t n = header[1];
  const size_t offset = sizeof(kMagic) + sizeof(header);
  if (s.length <= 0 || n < 0 ||
      data.size() != offset + static_cast<size_t>(n) * (static_cast<size_t>(s.length) + 4)) {
    throw InputError(path, 0, "truncated or corrupt sample file");
  }
  s.bases.assign(data.begin() + static_cast<std::ptrdiff_t>(offset),
                 data.begin() + static_cast<std::ptrdiff_t>(offset + n * s.length));
  s.activation.resize(static_cast<size_t>(n));
  std::memcpy(s.activation.data(), data.data() + offset + n * s.length,
              static_cast<size_t>(n) * sizeof(float));
  return s;
}

}  // namespace helix::interpret
