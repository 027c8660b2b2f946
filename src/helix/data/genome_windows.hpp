// Streams fixed-length windows from a genome on disk. At construction it scans the candidate
// regions once, in chunks, to find long N runs (assembly gaps) and keeps only the intervals
// between them; windows are then drawn uniformly over every valid start, so each chromosome is
// weighted by its usable length (the original FinDNA sampler picked chromosomes uniformly, which
// over-samples small ones: bug B7). A drawn window whose N fraction exceeds the limit is
// rejected and redrawn. Drawing is deterministic for a given RNG state.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "helix/io/genome.hpp"

namespace helix::data {

struct Interval {
  std::string chrom;
  int64_t start = 0;  // 0-based, half-open
  int64_t end = 0;
};

// Parses held-out or restriction regions: a BED file path, or comma-separated `NAME:START-END`
// regions in samtools' 1-based inclusive convention, or a bare sequence NAME. Empty -> none.
std::vector<Interval> parse_regions(const std::string& spec);

struct WindowOptions {
  int64_t window = 1000;
  double max_n_fraction = 0.05;
  std::vector<std::string> chromosomes;  // empty: all
  std::string regions;                   // restrict to these (parse_regions); empty: everything
  std::string holdout;                   // held out from training; the validation split
  int64_t min_gap = 50;                  // N runs at least this long split intervals
  // Original FinDNA sampler (bug B7): every chromosome equally likely whatever its length, then a
  // uniform start within it. Default: uniform over all starts (weighted by usable length).
  bool uniform_chromosomes = false;
};

enum class Split { kTrain, kValidation };

struct Window {
  std::string chrom;
  int64_t start = 0;
  std::string sequence;  // upper-case
};

class GenomeWindows {
 public:
  // Throws InputError naming the genome when there is no usable window for the split.
  GenomeWindows(const io::GenomeReader& genome, const WindowOptions& options, Split split);

  // Draws one window with `reader` (a handle on the same genome, owned by the calling thread).
  Window sample(io::GenomeReader& reader, std::mt19937_64& rng) const;

  const std::vector<Interval>& intervals() const { return intervals_; }
  // Number of valid window starts (the sampling space).
  int64_t num_starts() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  const WindowOptions& options() const { return options_; }

 private:
  WindowOptions options_;
  std::vector<Interval> intervals_;
  std::vector<int64_t> cumulative_;  // cumulative count of window starts per interval
  // Per chromosome, its range [first, last) in the global start numbering (intervals are grouped
  // by chromosome), for uniform_chromosomes.
  std::vector<std::pair<int64_t, int64_t>> chromosome_starts_;
  std::string genome_path_;
};

}  // namespace helix::data
