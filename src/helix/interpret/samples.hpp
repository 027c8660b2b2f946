// The sequences that activate a neuron, stored compactly: one byte per base (0..3 = A, C, G, T)
// instead of the original's float64 one-hot (NeuronMotif bug N8: ~30x smaller), with their
// activations. Exact de-duplication, the activation-stratified subsampling of the sampler, and a
// binary file so finished neurons survive interruption.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace helix::interpret {

struct SampleSet {
  int64_t length = 0;          // bases per sequence (the receptive field)
  std::vector<uint8_t> bases;  // size() * length base indices, row-major
  std::vector<float> activation;

  int64_t size() const { return static_cast<int64_t>(activation.size()); }
  const uint8_t* sequence(int64_t i) const { return bases.data() + i * length; }
  void append(const uint8_t* sequence_bases, float value);
  // Keeps rows in `keep` order.
  SampleSet subset(const std::vector<int64_t>& keep) const;
  float max_activation() const;
};

// Drops repeated sequences (keeping the first); order otherwise preserved.
void deduplicate(SampleSet& samples);

// When there are more than `cap` samples: `bins` equal-width activation bins over (0, max a],
// each keeping at most cap / bins of its samples, chosen at random (the sampler's stratification,
// which keeps rare high activations). Samples with a <= 0 are dropped.
void stratified_subsample(SampleSet& samples, int64_t cap, int64_t bins, std::mt19937_64& rng);

// "ACGT..." of sample i.
std::string sequence_string(const SampleSet& samples, int64_t i);

// Binary file: magic, length, count, bases, activations. Written atomically.
void save_samples(const std::string& path, const SampleSet& samples);
SampleSet load_samples(const std::string& path);  // InputError when truncated or not ours

}  // namespace helix::interpret
