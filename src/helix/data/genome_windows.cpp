#include "helix/data/genome_windows.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "helix/io/bed.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

bool is_n(char c) { return c == 'N' || c == 'n'; }

// Subtracts `cut` (sorted, same chrom) from `iv`.
std::vector<Interval> subtract(const Interval& iv, const std::vector<Interval>& cuts) {
  std::vector<Interval> out;
  int64_t pos = iv.start;
  for (const auto& c : cuts) {
    if (c.chrom != iv.chrom || c.end <= pos || c.start >= iv.end) continue;
    if (c.start > pos) out.push_back({iv.chrom, pos, c.start});
    pos = std::max(pos, c.end);
  }
  if (pos < iv.end) out.push_back({iv.chrom, pos, iv.end});
  return out;
}

std::vector<Interval> intersect(const Interval& iv, const std::vector<Interval>& keep) {
  std::vector<Interval> out;
  for (const auto& k : keep) {
    if (k.chrom != iv.chrom) continue;
    const int64_t s = std::max(iv.start, k.start), e = std::min(iv.end, k.end);
    if (s < e) out.push_back({iv.chrom, s, e});
  }
  return out;
}

std::vector<Interval> sorted(std::vector<Interval> v) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
    return a.chrom != b.chrom ? a.chrom < b.chrom : a.start < b.start;
  });
  return v;
}

}  // namespace

std::vector<Interval> parse_regions(const std::string& spec) {
  std::vector<Interval> out;
  if (spec.empty()) return out;
  // An existing file, or a path-like spec, is a BED file; anything else is a region list.
  const bool looks_like_file =
      std::filesystem::exists(spec) ||
      (spec.find(':') == std::string::npos &&
       (spec.find('/') != std::string::npos ||
        (spec.size() > 4 && spec.compare(spec.size() - 4, 4, ".bed") == 0)));
  if (looks_like_file) {
    for (const auto& b : io::read_bed(spec)) out.push_back({b.chrom, b.start, b.end});
    return out;
  }
  size_t pos = 0;
  while (pos <= spec.size()) {
    auto comma = spec.find(',', pos);
    auto item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    const auto colon = item.rfind(':');
    if (colon == std::string::npos) {
      out.push_back({item, 0, INT64_MAX});
      continue;
    }
    const auto dash = item.find('-', colon);
    try {
      if (dash == std::string::npos) throw std::invalid_argument("no dash");
      size_t used1 = 0, used2 = 0;
      const auto a = item.substr(colon + 1, dash - colon - 1);
      const auto b = item.substr(dash + 1);
      const int64_t start1 = std::stoll(a, &used1);
      const int64_t end1 = std::stoll(b, &used2);
      if (used1 != a.size() || used2 != b.size() || start1 < 1 || end1 < start1) {
        throw std::invalid_argument("range");
      }
      out.push_back({item.substr(0, colon), start1 - 1, end1});
    } catch (const std::exception&) {
      throw UsageError("malformed region '" + item +
                       "' (expected NAME:START-END, 1-based inclusive, or a BED file path)");
    }
  }
  return out;
}

GenomeWindows::GenomeWindows(const io::GenomeReader& genome, const WindowOptions& options,
                             Split split)
    : options_(options), genome_path_(genome.path()) {
  if (options_.window < 1) throw UsageError("window length must be positive");
  std::set<std::string> names;
  for (const auto& s : genome.sequences()) names.insert(s.name);
  for (const auto& c : options_.chromosomes) {
    if (!names.count(c)) {
      throw InputError(genome_path_, 0,
                       "sequence '" + c + "' named in data.chromosomes is not in the genome");
    }
  }
  auto regions = sorted(parse_regions(options_.regions));
  auto holdout = sorted(parse_regions(options_.holdout));
  for (const auto* set : {&regions, &holdout}) {
    for (const auto& r : *set) {
      if (!names.count(r.chrom)) {
        throw InputError(genome_path_, 0,
                         "region on '" + r.chrom + "' but the genome has no such sequence");
      }
    }
  }
  if (split == Split::kValidation && holdout.empty()) {
    throw UsageError("validation needs held-out regions (data.holdout)");
  }

  // Candidate intervals for this split, before removing gaps.
  std::vector<Interval> candidates;
  for (const auto& s : genome.sequences()) {
    if (!options_.chromosomes.empty() &&
        std::find(options_.chromosomes.begin(), options_.chromosomes.end(), s.name) ==
            options_.chromosomes.end()) {
      continue;
    }
    std::vector<Interval> base = {{s.name, 0, s.length}};
    if (!regions.empty()) base = intersect(base[0], regions);
    for (const auto& iv : base) {
      auto parts = split == Split::kTrain ? subtract(iv, holdout) : intersect(iv, holdout);
      for (auto& p : parts) {
        p.end = std::min(p.end, s.length);
        if (p.end - p.start >= options_.window) candidates.push_back(p);
      }
    }
  }

  // Split candidates at N runs of at least min_gap, reading in chunks (never the whole genome).
  auto reader = genome.clone();
  constexpr int64_t kChunk = 1 << 20;
  for (const auto& c : candidates) {
    int64_t run_start = -1;  // start of the current N run
    int64_t piece_start = c.start;
    auto close_piece = [&](int64_t end) {
      if (end - piece_start >= options_.window) intervals_.push_back({c.chrom, piece_start, end});
    };
    for (int64_t pos = c.start; pos < c.end; pos += kChunk) {
      const int64_t end = std::min(c.end, pos + kChunk);
      const auto bases = reader->fetch(c.chrom, pos, end);
      for (int64_t i = 0; i < end - pos; ++i) {
        if (is_n(bases[i])) {
          if (run_start < 0) run_start = pos + i;
        } else if (run_start >= 0) {
          if (pos + i - run_start >= options_.min_gap) {
            close_piece(run_start);
            piece_start = pos + i;
          }
          run_start = -1;
        }
      }
    }
    if (run_start >= 0 && c.end - run_start >= options_.min_gap) {
      close_piece(run_start);
    } else {
      close_piece(c.end);
    }
  }
  int64_t total = 0;
  for (size_t i = 0; i < intervals_.size(); ++i) {
    const auto& iv = intervals_[i];
    if (i == 0 || intervals_[i - 1].chrom != iv.chrom) chromosome_starts_.push_back({total, total});
    total += iv.end - iv.start - options_.window + 1;
    cumulative_.push_back(total);
    chromosome_starts_.back().second = total;
  }
  if (total == 0) {
    throw InputError(genome_path_, 0,
                     std::string("no usable window of ") + std::to_string(options_.window) +
                         " nt for the " + (split == Split::kTrain ? "training" : "validation") +
                         " split (every candidate region is shorter than the window or inside "
                         "an N run)");
  }
}

Window GenomeWindows::sample(io::GenomeReader& reader, std::mt19937_64& rng) const {
  std::uniform_int_distribution<int64_t> pick(0, num_starts() - 1);
  std::uniform_int_distribution<size_t> pick_chromosome(0, chromosome_starts_.size() - 1);
  const auto max_n = static_cast<int64_t>(options_.max_n_fraction * options_.window);
  // Rejection sampling; a bound keeps a genome that is almost all N from spinning forever.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int64_t k;
    if (options_.uniform_chromosomes) {
      const auto [first, last] = chromosome_starts_[pick_chromosome(rng)];
      k = std::uniform_int_distribution<int64_t>(first, last - 1)(rng);
    } else {
      k = pick(rng);
    }
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), k);
    const auto idx = static_cast<size_t>(it - cumulative_.begin());
    const int64_t offset = k - (idx == 0 ? 0 : cumulative_[idx - 1]);
    const auto& iv = intervals_[idx];
    Window w{iv.chrom, iv.start + offset,
             reader.fetch(iv.chrom, iv.start + offset, iv.start + offset + options_.window)};
    const auto n = std::count_if(w.sequence.begin(), w.sequence.end(), is_n);
    if (n <= max_n) return w;
  }
  throw InputError(genome_path_, 0,
                   "1000 consecutive windows exceeded data.max_n_fraction; the regions are "
                   "almost entirely N");
}

}  // namespace helix::data
