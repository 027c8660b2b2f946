// Position probability matrices from a neuron's samples (NeuronMotif §4.2 and §5.2): the
// activation-weighted PPM that represents every activation level in proportion to its activation
// however densely the sampler visited it, information content in bits, consensus, smoothing, and
// the high-information segments cut out for database matching and for the motif dictionary.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "helix/interpret/samples.hpp"

namespace helix::interpret {

using Matrix = std::vector<std::array<double, 4>>;  // rows = positions, columns A, C, G, T

// Splits (0, max a] of the chosen samples into `bins` equal-width bins; bin b contributes its
// base frequencies weighted by its mean activation; walking down from the top bin, an empty bin
// reuses the frequencies of the bin above with the bin midpoint as weight. Rows renormalised.
// Samples with a <= 0 are ignored; none left gives an empty matrix.
Matrix weighted_ppm(const SampleSet& samples, const std::vector<int64_t>& indices, int64_t bins);

// (PPM * n + pseudo / 4) / (n + pseudo): the bundle smoothing uses pseudo = 1, segmenting 80 or 30.
Matrix smooth(const Matrix& ppm, double n, double pseudo);

double information_bits(const std::array<double, 4>& column);  // 2 - entropy in bits
std::vector<uint8_t> consensus_bases(const Matrix& ppm);       // argmax per position
std::string consensus_string(const Matrix& ppm);

// Pearson correlation of two equally long matrices, flattened (the ground-truth criterion).
double matrix_correlation(const Matrix& a, const Matrix& b);

struct Segment {
  int64_t start = 0;  // first position (0-based)
  int64_t end = 0;    // one past the last
};

struct SegmentOptions {
  // IC threshold in bits. NeuronMotif's code compares 2 - H(nats) with 1 (bug N3); the same
  // selection in bits is IC > 2 - 1/ln 2 ~ 0.557.
  double ic_threshold = 0.5573590279972655;
  double annotation_pseudo = 80;
  int64_t annotation_pad = 2;
  int64_t annotation_min_flagged = 3;
  int64_t annotation_min_length = 9;  // runs longer than 8 bp
  double dictionary_pseudo = 30;
  int64_t dictionary_min_length = 4;
};

// §5.2 "for annotation": flagged high-IC positions of the smoothed PPM, runs padded by 2 bp per
// side, runs of at least annotation_min_length (or the whole PPM when it is shorter) kept; nothing
// when fewer than 3 flagged positions.
std::vector<Segment> annotation_segments(const Matrix& ppm, double n, const SegmentOptions& o);
// §5.2 "for the dictionary": IC smoothed by a 3-bp moving average (ends 0), runs extended by 1 bp,
// runs of at least dictionary_min_length kept.
std::vector<Segment> dictionary_segments(const Matrix& ppm, double n, const SegmentOptions& o);

}  // namespace helix::interpret
