#include "helix/interpret/ppm.hpp"

#include <algorithm>
#include <cmath>

namespace helix::interpret {

Matrix weighted_ppm(const SampleSet& samples, const std::vector<int64_t>& indices, int64_t bins) {
  const int64_t length = samples.length;
  double top = 0;
  for (const auto i : indices) top = std::max(top, double(samples.activation[size_t(i)]));
  if (top <= 0 || bins < 1) return {};
  // Per bin: base counts per position, activation sum, sample count.
  std::vector<Matrix> counts(size_t(bins), Matrix(size_t(length), {0, 0, 0, 0}));
  std::vector<double> sum(size_t(bins), 0.0);
  std::vector<int64_t> members(size_t(bins), 0);
  for (const auto i : indices) {
    const double a = samples.activation[size_t(i)];
    if (a <= 0) continue;
    auto b = static_cast<int64_t>(std::ceil(a / top * double(bins))) - 1;  // (lo, hi] bins
    b = std::clamp<int64_t>(b, 0, bins - 1);
    const uint8_t* seq = samples.sequence(i);
    for (int64_t p = 0; p < length; ++p) counts[size_t(b)][size_t(p)][seq[p] & 3] += 1;
    sum[size_t(b)] += a;
    ++members[size_t(b)];
  }
  Matrix ppm(size_t(length), {0, 0, 0, 0});
  Matrix frequencies;  // of the last non-empty bin walking down
  const double width = top / double(bins);
  for (int64_t b = bins - 1; b >= 0; --b) {
    double weight = 0;
    if (members[size_t(b)] > 0) {
      frequencies = counts[size_t(b)];
      for (auto& row : frequencies) {
        for (auto& v : row) v /= double(members[size_t(b)]);
      }
      weight = sum[size_t(b)] / double(members[size_t(b)]);
    } else {
      weight = (double(b) + 0.5) * width;  // the bin midpoint
    }
    if (frequencies.empty()) continue;  // nothing above yet (cannot happen for the top bin)
    for (int64_t p = 0; p < length; ++p) {
      for (int c = 0; c < 4; ++c) ppm[size_t(p)][c] += weight * frequencies[size_t(p)][c];
    }
  }
  for (auto& row : ppm) {
    const double total = row[0] + row[1] + row[2] + row[3];
    for (auto& v : row) v = total > 0 ? v / total : 0.25;
  }
  return ppm;
}

Matrix smooth(const Matrix& ppm, double n, double pseudo) {
  Matrix out = ppm;
  for (auto& row : out) {
    for (auto& v : row) v = (v * n + pseudo / 4.0) / (n + pseudo);
  }
  return out;
}

double information_bits(const std::array<double, 4>& column) {
  const double total = column[0] + column[1] + column[2] + column[3];
  if (total <= 0) return 0;
  double entropy = 0;
  for (const auto v : column) {
    const double p = v / total;
    if (p > 0) entropy -= p * std::log2(p);
  }
  return 2.0 - entropy;
}

std::vector<uint8_t> consensus_bases(const Matrix& ppm) {
  std::vector<uint8_t> out;
  out.reserve(ppm.size());
  for (const auto& row : ppm) {
    out.push_back(static_cast<uint8_t>(std::max_element(row.begin(), row.end()) - row.begin()));
  }
  return out;
}

std::string consensus_string(const Matrix& ppm) {
  std::string s;
  for (const auto b : consensus_bases(ppm)) s += "ACGT"[b];
  return s;
}

double matrix_correlation(const Matrix& a, const Matrix& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  double ma = 0, mb = 0;
  const double n = double(a.size()) * 4;
  for (size_t p = 0; p < a.size(); ++p) {
    for (int c = 0; c < 4; ++c) {
      ma += a[p][c];
      mb += b[p][c];
    }
  }
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t p = 0; p < a.size(); ++p) {
    for (int c = 0; c < 4; ++c) {
      sab += (a[p][c] - ma) * (b[p][c] - mb);
      saa += (a[p][c] - ma) * (a[p][c] - ma);
      sbb += (b[p][c] - mb) * (b[p][c] - mb);
    }
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

namespace {

// Maximal runs of flagged positions.
std::vector<Segment> runs(const std::vector<bool>& flagged) {
  std::vector<Segment> out;
  const auto n = static_cast<int64_t>(flagged.size());
  for (int64_t p = 0; p < n;) {
    if (!flagged[size_t(p)]) {
      ++p;
      continue;
    }
    int64_t q = p;
    while (q < n && flagged[size_t(q)]) ++q;
    out.push_back({p, q});
    p = q;
  }
  return out;
}

// Widens every flagged run by `pad` per side (clipped), merging runs that then touch.
std::vector<bool> widen(const std::vector<bool>& flagged, int64_t pad) {
  std::vector<bool> out(flagged.size(), false);
  const auto n = static_cast<int64_t>(flagged.size());
  for (int64_t p = 0; p < n; ++p) {
    if (!flagged[size_t(p)]) continue;
    for (int64_t q = std::max<int64_t>(0, p - pad); q <= std::min(n - 1, p + pad); ++q) {
      out[size_t(q)] = true;
    }
  }
  return out;
}

}  // namespace

std::vector<Segment> annotation_segments(const Matrix& ppm, double n, const SegmentOptions& o) {
  const auto smoothed = smooth(ppm, n, o.annotation_pseudo);
  std::vector<bool> flagged;
  int64_t count = 0;
  for (const auto& row : smoothed) {
    flagged.push_back(information_bits(row) > o.ic_threshold);
    count += flagged.back() ? 1 : 0;
  }
  if (count < o.annotation_min_flagged) return {};
  // A PPM shorter than the minimum (a first layer's 6-bp receptive field) may be kept whole.
  const int64_t min_length = std::min<int64_t>(o.annotation_min_length, int64_t(ppm.size()));
  std::vector<Segment> out;
  for (const auto& s : runs(widen(flagged, o.annotation_pad))) {
    if (s.end - s.start >= min_length) out.push_back(s);
  }
  return out;
}

std::vector<Segment> dictionary_segments(const Matrix& ppm, double n, const SegmentOptions& o) {
  const auto smoothed = smooth(ppm, n, o.dictionary_pseudo);
  const auto length = static_cast<int64_t>(smoothed.size());
  std::vector<double> ic;
  for (const auto& row : smoothed) ic.push_back(information_bits(row));
  std::vector<bool> flagged(size_t(length), false);
  for (int64_t p = 1; p + 1 < length; ++p) {
    const double average = (ic[size_t(p - 1)] + ic[size_t(p)] + ic[size_t(p + 1)]) / 3.0;
    flagged[size_t(p)] = average > o.ic_threshold;
  }
  std::vector<Segment> out;
  for (const auto& s : runs(widen(flagged, 1))) {
    if (s.end - s.start >= o.dictionary_min_length) out.push_back(s);
  }
  return out;
}

}  // namespace helix::interpret
