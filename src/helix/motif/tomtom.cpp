#include "helix/motif/tomtom.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <thread>
#include <utility>

#include "helix/util/error.hpp"

namespace helix::motif {

namespace {

using Column = std::array<double, 4>;

constexpr char kBases[] = "ACGT";
// MEME's BINS: after scaling, one column's score is an integer in [0, 100].
constexpr int kColumnRange = 100;
// MEME's DEFAULT_SITE_COUNT, for motifs without a site count.
constexpr int kDefaultSites = 20;
// MEME's bootstrap estimate of pi0 (qvalue.h): 100 bootstraps of 1000 p-values, lambda on a grid
// of 100 values up to 0.5; no estimate (pi0 = 1) from 100 p-values or fewer.
constexpr int kBootstraps = 100;
constexpr int kBootstrapSamples = 1000;
constexpr int kLambdas = 100;
constexpr float kMaxLambda = 0.5F;
constexpr size_t kMinPvaluesForPi0 = 100;
// Probabilities below this are dropped from the score distributions: they only matter for
// p-values under 1e-280, and left in they turn into subnormals, which are slow on x86.
constexpr double kNegligibleProbability = 1e-280;

int pseudocount_sites(double sites) {
  // MEME truncates the site count to an integer; a count below 1 is treated as unknown (MEME
  // would use 0 and turn the motif uniform).
  const int n = static_cast<int>(sites);
  return n > 0 ? n : kDefaultSites;
}

double score_sites(double sites) { return sites > 0 ? sites : kDefaultSites; }

std::string consensus_of(const std::vector<Column>& rows) {
  std::string out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    // MEME keeps the running maximum in single precision: a later base must beat the rounded
    // value, which decides near-ties the way MEME does.
    char best_base = kBases[0];
    auto best = static_cast<float>(row[0]);
    for (int b = 1; b < 4; ++b) {
      if (row[b] > static_cast<double>(best)) {
        best = static_cast<float>(row[b]);
        best_base = kBases[b];
      }
    }
    out += best_base;
  }
  return out;
}

// MEME's random numbers: Kuenning's mtwist Mersenne Twister, never seeded by Tomtom, so it starts
// from the generator's default seed (4357, the original 1998 seeding) and each draw of a double
// uses two 32-bit outputs.
class MemeRandom {
 public:
  MemeRandom() {
    state_[0] = 4357U;
    for (size_t i = 1; i < kSize; ++i) state_[i] = 69069U * state_[i - 1];
  }

  uint32_t next_u32() {
    if (next_ == kSize) twist();
    uint32_t y = state_[next_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
  }

  // In [0, 1) with 64 random bits (which the conversion to double rounds; it can round to 1).
  double next_double() {
    const uint64_t high = next_u32();
    const uint64_t low = next_u32();
    return static_cast<double>((high << 32) | low) * 0x1p-64;
  }

 private:
  static constexpr size_t kSize = 624;
  static constexpr size_t kShift = 397;
  static uint32_t mix(uint32_t upper, uint32_t lower, uint32_t far) {
    const uint32_t y = (upper & 0x80000000U) | (lower & 0x7fffffffU);
    return far ^ (y >> 1) ^ ((y & 1U) != 0 ? 0x9908b0dfU : 0U);
  }
  void twist() {
    size_t i = 0;
    for (; i < kSize - kShift; ++i) state_[i] = mix(state_[i], state_[i + 1], state_[i + kShift]);
    for (; i < kSize - 1; ++i) {
      state_[i] = mix(state_[i], state_[i + 1], state_[i + kShift - kSize]);
    }
    state_[kSize - 1] = mix(state_[kSize - 1], state_[0], state_[kShift - 1]);
    next_ = 0;
  }
  std::array<uint32_t, kSize> state_{};
  size_t next_ = kSize;
};

// Storey's pi0 (the fraction of true nulls) as MEME estimates it: pi0(lambda) =
// #{p >= lambda} / ((1 - lambda) m) on a grid of lambda; the lambda whose bootstrap estimates
// have the smallest mean squared error around the smallest pi0(lambda) wins.
double estimate_pi0(const std::vector<double>& sorted_p, MemeRandom& random) {
  const size_t m = sorted_p.size();
  std::array<double, kLambdas> lambda{};
  std::array<size_t, kLambdas> first_at_least{};
  std::array<double, kLambdas> pi0{};
  for (int i = 0; i < kLambdas; ++i) {
    lambda[i] = (static_cast<double>(i + 1) / kLambdas) * static_cast<double>(kMaxLambda);
    first_at_least[i] = static_cast<size_t>(
        std::lower_bound(sorted_p.begin(), sorted_p.end(), lambda[i]) - sorted_p.begin());
    const double estimate =
        static_cast<double>(m - first_at_least[i]) / ((1.0 - lambda[i]) * static_cast<double>(m));
    pi0[i] = estimate == 0.0 ? HUGE_VAL : estimate;
  }
  const double min_pi0 = *std::min_element(pi0.begin(), pi0.end());

  // A sampled p-value p[k] reaches lambda[i] exactly when k >= first_at_least[i]; these are the
  // first `reached[k]` lambdas, so counting samples by reached[] replaces sorting each bootstrap.
  std::vector<int> reached(m);
  for (size_t k = 0, i = 0; k < m; ++k) {
    while (i < kLambdas && first_at_least[i] <= k) ++i;
    reached[k] = static_cast<int>(i);
  }
  std::array<double, kLambdas> squared_error{};
  std::array<int, kLambdas + 1> count{};
  for (int b = 0; b < kBootstraps; ++b) {
    count.fill(0);
    for (int s = 0; s < kBootstrapSamples; ++s) {
      const auto k = static_cast<size_t>(random.next_double() * static_cast<double>(m));
      ++count[reached[std::min(k, m - 1)]];
    }
    int at_least = 0;  // samples reaching lambda[i]
    for (int i = kLambdas - 1; i >= 0; --i) {
      at_least += count[i + 1];
      double estimate = at_least / ((1.0 - lambda[i]) * kBootstrapSamples);
      if (estimate == 0.0) estimate = HUGE_VAL;
      squared_error[i] += (estimate - min_pi0) * (estimate - min_pi0);
    }
  }
  int best = 0;
  for (int i = 1; i < kLambdas; ++i) {
    if (squared_error[i] < squared_error[best]) best = i;
  }
  return std::max(std::min(pi0[best], 1.0), 0.0);
}

// Storey q-values of p-values sorted ascending (MEME's compute_qvalues).
std::vector<double> storey_qvalues(const std::vector<double>& sorted_p, MemeRandom& random) {
  const size_t m = sorted_p.size();
  const double pi0 = m > kMinPvaluesForPi0 ? estimate_pi0(sorted_p, random) : 1.0;
  std::vector<double> q(m);
  for (size_t i = 0; i < m; ++i) {
    const double fdr = (pi0 * sorted_p[i] * static_cast<float>(m)) / static_cast<float>(i + 1);
    q[i] = std::min(1.0, fdr);
  }
  for (size_t i = m; i-- > 1;) q[i - 1] = std::min(q[i - 1], q[i]);
  return q;
}

// MEME's EV(p, n): the p-value of the best of n independent tries.
double best_of_n(double p, double n) { return p * n < 0.001 ? p * n : 1.0 - std::pow(1.0 - p, n); }

// The alignments MEME considers for a query of length L and a target of length n, numbered
// 1..L+n-1 ("configurations"): configuration c puts the target's first column under query column
// L - c. Query columns [first, first + overlap) are aligned.
struct Alignment {
  int query_first;
  int target_first;
  int overlap;
};
Alignment alignment(int query_length, int target_length, int configuration) {
  Alignment a{};
  if (configuration <= query_length) {
    a.query_first = query_length - configuration;
    a.target_first = 0;
  } else {
    a.query_first = 0;
    a.target_first = configuration - query_length;
  }
  a.overlap = std::min(query_length - a.query_first, target_length - a.target_first);
  return a;
}

// Smallest and largest of values[0..n), n > 0. Four independent running extremes, so that one
// comparison need not wait for the previous one.
std::pair<double, double> value_range(const double* values, size_t n) {
  std::array<double, 4> min{values[0], values[0], values[0], values[0]};
  std::array<double, 4> max = min;
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    for (size_t j = 0; j < 4; ++j) {
      min[j] = values[k + j] < min[j] ? values[k + j] : min[j];
      max[j] = values[k + j] > max[j] ? values[k + j] : max[j];
    }
  }
  for (; k < n; ++k) {
    min[0] = values[k] < min[0] ? values[k] : min[0];
    max[0] = values[k] > max[0] ? values[k] : max[0];
  }
  return {*std::min_element(min.begin(), min.end()), *std::max_element(max.begin(), max.end())};
}

// The best alignment of one database entry and its p-value.
struct EntryResult {
  double p_value = 1;
  int offset = 0;
  int overlap = 0;
};

// Scores one query against the database. Owns the buffers, which are reused from one query to
// the next.
class QueryScorer {
 public:
  explicit QueryScorer(const TomtomDatabase& database)
      : db_(database), options_(database.options()) {}

  std::vector<EntryResult> score(const Motif& query) {
    if (query.length() == 0) throw Error("query motif '" + query.id + "' has no columns");
    const Motif prepared =
        with_tomtom_pseudocount(query, options_.pseudocount, options_.background);
    length_ = static_cast<int>(prepared.length());
    columns_ = db_.column_count();
    column_scores(prepared);
    if (!options_.incomplete_scores) shift_by_median();
    scale_scores();
    column_distributions();
    return options_.incomplete_scores ? score_incomplete() : score_complete();
  }

 private:
  // raw_[i * columns_ + c]: similarity of query column i and database column c.
  void column_scores(const Motif& query) {
    raw_.resize(static_cast<size_t>(length_) * columns_);
    const double query_sites = score_sites(query.sites);
    for (int i = 0; i < length_; ++i) {
      const Column& q = query.probabilities[i];
      double* out = raw_.data() + static_cast<size_t>(i) * columns_;
      switch (options_.distance) {
        case TomtomDistance::kPearson:
          pearson_row(q, out);
          break;
        case TomtomDistance::kEuclidean:
        case TomtomDistance::kSandelin:
          for (size_t c = 0; c < columns_; ++c) {
            double sum = 0;
            for (int b = 0; b < 4; ++b) {
              const double d = q[b] - db_.column_probability(b)[c];
              sum += d * d;
            }
            out[c] = options_.distance == TomtomDistance::kEuclidean ? -std::sqrt(sum) : 2 - sum;
          }
          break;
        case TomtomDistance::kAllr:
          allr_row(q, query_sites, out);
          break;
      }
    }
  }

  // Same operations in the same order as MEME, so that the scaled scores agree exactly.
  void pearson_row(const Column& q, double* out) const {
    Column centred{};
    double query_square_sum = 0;
    for (int b = 0; b < 4; ++b) {
      centred[b] = q[b] - 0.25;
      query_square_sum += centred[b] * centred[b];
    }
    const auto& t0 = db_.column_term(0);
    const auto& t1 = db_.column_term(1);
    const auto& t2 = db_.column_term(2);
    const auto& t3 = db_.column_term(3);
    const auto& target_square_sum = db_.column_square_sum();
    for (size_t c = 0; c < columns_; ++c) {
      double numerator = 0;
      numerator += centred[0] * t0[c];
      numerator += centred[1] * t1[c];
      numerator += centred[2] * t2[c];
      numerator += centred[3] * t3[c];
      const double denominator = std::sqrt(query_square_sum * target_square_sum[c]);
      out[c] = denominator != 0 ? numerator / denominator : 0;
    }
  }

  void allr_row(const Column& q, double query_sites, double* out) const {
    Column log_ratio{};
    for (int b = 0; b < 4; ++b) log_ratio[b] = std::log(q[b] / options_.background[b]);
    const auto& sites = db_.column_sites();
    for (size_t c = 0; c < columns_; ++c) {
      double numerator = 0;
      double denominator = 0;
      for (int b = 0; b < 4; ++b) {
        const double t = db_.column_probability(b)[c];
        numerator += sites[c] * t * log_ratio[b] + query_sites * q[b] * db_.column_term(b)[c];
        denominator += query_sites * q[b] + sites[c] * t;
      }
      out[c] = numerator / denominator;
    }
  }

  // Complete scoring: subtract from each query column's scores their median over the database
  // (MEME's quantile: the mean of the order statistics at floor(C/2) and ceil(C/2), 1-based).
  void shift_by_median() {
    const size_t upper = std::max<size_t>(1, (columns_ + 1) / 2) - 1;
    const size_t lower = std::min(upper, std::max<size_t>(1, columns_ / 2) - 1);
    for (int i = 0; i < length_; ++i) {
      double* row = raw_.data() + static_cast<size_t>(i) * columns_;
      const auto [low, high] = order_statistics(row, lower, upper);
      const double median = (low + high) / 2.0;
      for (size_t c = 0; c < columns_; ++c) row[c] -= median;
    }
  }

  // The lower-th and upper-th smallest of values[0..columns_) (upper - lower <= 1), exactly.
  // The values are first counted into buckets of equal width; only the one or two buckets that
  // hold the wanted ranks are then partially sorted (a selection over all 20,000-odd values of a
  // query column was the largest cost of a comparison).
  std::pair<double, double> order_statistics(const double* values, size_t lower, size_t upper) {
    constexpr size_t kBuckets = 4096;
    const auto [min, max] = value_range(values, columns_);
    if (min == max) return {min, min};
    // Monotone in the value, so every value of a bucket is <= every value of a later bucket.
    const double per_unit = kBuckets / (max - min);
    bucket_.resize(columns_);
    bucket_count_.assign(kBuckets + 1, 0);
    for (size_t c = 0; c < columns_; ++c) {
      const auto b = std::min(kBuckets - 1, static_cast<size_t>((values[c] - min) * per_unit));
      bucket_[c] = static_cast<uint16_t>(b);
      ++bucket_count_[b];
    }
    size_t below = 0;  // values in buckets before b
    size_t b = 0;
    while (below + bucket_count_[b] <= lower) below += bucket_count_[b++];
    const size_t lower_bucket = b;
    size_t below_upper = below;
    while (below_upper + bucket_count_[b] <= upper) below_upper += bucket_count_[b++];
    const size_t upper_bucket = b;
    sorted_.clear();
    for (size_t c = 0; c < columns_; ++c) {
      if (bucket_[c] == lower_bucket || bucket_[c] == upper_bucket) sorted_.push_back(values[c]);
    }
    // sorted_ holds ranks below .. below + sorted_.size() - 1.
    std::nth_element(sorted_.begin(), sorted_.begin() + (upper - below), sorted_.end());
    const double high = sorted_[upper - below];
    const double low = lower == upper
                           ? high
                           : *std::max_element(sorted_.begin(), sorted_.begin() + (upper - below));
    return {low, high};
  }

  // MEME's scale_score_matrix: integer offset and scale that map every score into
  // [0, kColumnRange], then rounding. scaled_ is column-major (c * L + i) so that an alignment's
  // diagonal is read with a fixed small stride.
  void scale_scores() {
    auto [small, large] = value_range(raw_.data(), raw_.size());
    if (large == small) small = large - 1;
    offset_ = std::floor(small);
    scale_ = std::floor(kColumnRange / (large - offset_));
    unit_shift_ = static_cast<int>(std::lround(-offset_ * scale_));
    scaled_rows_.resize(raw_.size());
    for (size_t k = 0; k < raw_.size(); ++k) {
      // MEME's nint(): adding 0.5 and truncating (the value is never negative).
      // NOLINTNEXTLINE(bugprone-incorrect-roundings)
      scaled_rows_[k] = static_cast<uint8_t>((raw_[k] - offset_) * scale_ + 0.5);
    }
    scaled_.resize(raw_.size());
    constexpr size_t kTile = 256;  // transposed in tiles, to stay in cache
    for (size_t c0 = 0; c0 < columns_; c0 += kTile) {
      const size_t c1 = std::min(columns_, c0 + kTile);
      for (int i = 0; i < length_; ++i) {
        const uint8_t* row = scaled_rows_.data() + static_cast<size_t>(i) * columns_;
        for (size_t c = c0; c < c1; ++c) scaled_[c * length_ + i] = row[c];
      }
    }
  }

  // The distribution of each query column's scaled score over all database columns (the null:
  // a random database column), as its nonzero bins.
  void column_distributions() {
    bins_.assign(length_, {});
    std::array<size_t, kColumnRange + 1> counts{};
    for (int i = 0; i < length_; ++i) {
      counts.fill(0);
      const uint8_t* row = scaled_rows_.data() + static_cast<size_t>(i) * columns_;
      for (size_t c = 0; c < columns_; ++c) ++counts[row[c]];
      for (int s = 0; s <= kColumnRange; ++s) {
        if (counts[s] > 0) {
          bins_[i].emplace_back(s, static_cast<double>(counts[s]) / static_cast<double>(columns_));
        }
      }
    }
  }

  // The window of query columns [first, last] as an index.
  size_t window(int first, int last) const {
    return static_cast<size_t>(first) * length_ + static_cast<size_t>(last);
  }

  // Calls visit(first, last, survival, size) for every run of query columns no longer than the
  // longest target (no alignment covers more), where survival[k] = P(sum of the run's scaled
  // scores >= k) under the null, for k < size (0 beyond). The distributions are built by
  // dynamic programming, extending each run by one column at a time.
  template <typename Visit>
  void for_each_window(Visit visit) {
    int longest = 0;
    for (const auto& e : db_.entries()) longest = std::max(longest, e.length);
    const size_t full = static_cast<size_t>(length_) * kColumnRange + 1;
    current_.assign(full, 0);
    next_.assign(full, 0);
    survival_.assign(full, 0);
    for (int first = 0; first < length_; ++first) {
      size_t size = 1;
      current_[0] = 1;
      for (int last = first; last < std::min(length_, first + longest); ++last) {
        std::fill(next_.begin(), next_.begin() + size + kColumnRange, 0.0);
        for (const auto& [shift, probability] : bins_[last]) {
          const double* from = current_.data();
          double* to = next_.data() + shift;
          for (size_t k = 0; k < size; ++k) to[k] += from[k] * probability;
        }
        size += kColumnRange;
        for (size_t k = 0; k < size; ++k) {
          if (next_[k] < kNegligibleProbability) next_[k] = 0;
        }
        std::swap(current_, next_);
        double tail = 0;
        for (size_t k = size; k-- > 0;) {
          tail += current_[k];
          survival_[k] = tail;
        }
        visit(first, last, survival_.data(), size);
      }
      std::fill(current_.begin(), current_.begin() + size, 0.0);
    }
  }

  // Sum of the scaled scores of one alignment of entry `e`.
  int alignment_score(const TomtomDatabase::Entry& e, const Alignment& a) const {
    const uint8_t* cell =
        scaled_.data() + (e.first_column + a.target_first) * length_ + a.query_first;
    int sum = 0;
    for (int k = 0; k < a.overlap; ++k, cell += length_ + 1) sum += *cell;
    return sum;
  }

  // Alignments considered for a target of length n (MEME: all, or those overlapping by at least
  // min(min_overlap, L, n) columns).
  std::pair<int, int> configurations(int n) const {
    if (options_.min_overlap <= 1) return {1, length_ + n - 1};
    const int least = std::min({options_.min_overlap, length_, n});
    return {least, length_ + n - least};
  }

  std::vector<EntryResult> score_complete() {
    const auto& entries = db_.entries();
    std::vector<EntryResult> results(entries.size());
    // A complete score adds the shifted score of each aligned column; in scaled units a column
    // scoring s (0..100) contributes s - unit_shift_. best_index = score + L * unit_shift_ is
    // never negative and indexes the null distribution of the best score.
    std::vector<int> best_index(entries.size());
    for (size_t j = 0; j < entries.size(); ++j) {
      const auto& e = entries[j];
      const auto [from, to] = configurations(e.length);
      int best = std::numeric_limits<int>::min();
      for (int c = from; c <= to; ++c) {
        const Alignment a = alignment(length_, e.length, c);
        const int score = alignment_score(e, a) - a.overlap * unit_shift_;
        if (score > best || (score == best && a.overlap > results[j].overlap)) {
          best = score;
          results[j].offset = c - length_;
          results[j].overlap = a.overlap;
        }
      }
      best_index[j] = best + length_ * unit_shift_;
    }

    // The p-value of best score x for a target of length n: P(max over all n + L - 1 alignments
    // and both strands of independent alignment scores >= x). Alignment a's score has the null
    // distribution of its run of query columns, moved up by unit_shift_ per unaligned query
    // column. Computed for the distinct (length, x) that occur, as
    // 1 - prod_a P(a < x)^strands, accumulated in logs.
    struct Group {
      int length;
      std::vector<int> indices;  // distinct best_index values, ascending
      std::vector<double> log_cdf;
    };
    std::vector<Group> groups;
    std::vector<std::pair<size_t, size_t>> slot(entries.size());  // (group, position)
    {
      std::vector<int> lengths;
      lengths.reserve(entries.size());
      for (const auto& e : entries) lengths.push_back(e.length);
      std::sort(lengths.begin(), lengths.end());
      lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
      for (int n : lengths) groups.push_back({n, {}, {}});
      for (size_t j = 0; j < entries.size(); ++j) {
        const size_t g = static_cast<size_t>(
            std::lower_bound(lengths.begin(), lengths.end(), entries[j].length) - lengths.begin());
        groups[g].indices.push_back(best_index[j]);
        slot[j].first = g;
      }
      for (auto& g : groups) {
        std::sort(g.indices.begin(), g.indices.end());
        g.indices.erase(std::unique(g.indices.begin(), g.indices.end()), g.indices.end());
        g.log_cdf.assign(g.indices.size(), 0.0);
      }
      for (size_t j = 0; j < entries.size(); ++j) {
        const auto& idx = groups[slot[j].first].indices;
        slot[j].second = static_cast<size_t>(
            std::lower_bound(idx.begin(), idx.end(), best_index[j]) - idx.begin());
      }
    }
    // uses_[window]: (group, number of that group's alignments on this run of query columns).
    uses_.assign(static_cast<size_t>(length_) * length_, {});
    for (size_t g = 0; g < groups.size(); ++g) {
      const int n = groups[g].length;
      for (int c = 1; c <= length_ + n - 1; ++c) {
        const Alignment a = alignment(length_, n, c);
        auto& use = uses_[window(a.query_first, a.query_first + a.overlap - 1)];
        if (!use.empty() && use.back().first == g) {
          ++use.back().second;
        } else {
          use.emplace_back(g, 1);
        }
      }
    }
    const double strands = options_.both_strands ? 2.0 : 1.0;
    for_each_window([&](int first, int last, const double* survival, size_t size) {
      const auto& use = uses_[window(first, last)];
      if (use.empty()) return;
      const long moved = static_cast<long>(length_ - (last - first + 1)) * unit_shift_;
      for (const auto& [g, count] : use) {
        auto& group = groups[g];
        const double weight = count * strands;
        for (size_t k = 0; k < group.indices.size(); ++k) {
          const long at = group.indices[k] - moved;
          const double above = at <= 0 ? 1.0 : (at >= static_cast<long>(size) ? 0.0 : survival[at]);
          group.log_cdf[k] += weight * std::log1p(-std::min(above, 1.0));
        }
      }
    });
    for (size_t j = 0; j < entries.size(); ++j) {
      const double p = -std::expm1(groups[slot[j].first].log_cdf[slot[j].second]);
      // MEME keeps these p-values in single precision; equal floats then tie in the ranking.
      results[j].p_value = static_cast<float>(p);
    }
    return results;
  }

  std::vector<EntryResult> score_incomplete() {
    const auto& entries = db_.entries();
    std::vector<EntryResult> results(entries.size());
    // Each alignment's p-value is read from the null distribution of its own run of query
    // columns; requests_[window] lists (score, slot) to fill.
    requests_.assign(static_cast<size_t>(length_) * length_, {});
    std::vector<size_t> first_slot(entries.size() + 1, 0);
    for (size_t j = 0; j < entries.size(); ++j) {
      const auto [from, to] = configurations(entries[j].length);
      first_slot[j + 1] = first_slot[j] + static_cast<size_t>(to - from + 1);
      for (int c = from; c <= to; ++c) {
        const Alignment a = alignment(length_, entries[j].length, c);
        requests_[window(a.query_first, a.query_first + a.overlap - 1)].emplace_back(
            alignment_score(entries[j], a), first_slot[j] + static_cast<size_t>(c - from));
      }
    }
    std::vector<double> alignment_p(first_slot.back());
    for_each_window([&](int first, int last, const double* survival, size_t size) {
      for (const auto& [score, s] : requests_[window(first, last)]) {
        alignment_p[s] = score < static_cast<int>(size) ? std::min(1.0, survival[score]) : 0.0;
      }
    });
    const double strands = options_.both_strands ? 2.0 : 1.0;
    for (size_t j = 0; j < entries.size(); ++j) {
      const auto [from, to] = configurations(entries[j].length);
      double best = HUGE_VAL;
      for (int c = from; c <= to; ++c) {
        const Alignment a = alignment(length_, entries[j].length, c);
        const double p = alignment_p[first_slot[j] + static_cast<size_t>(c - from)];
        if (p < best || (p == best && a.overlap > results[j].overlap)) {
          best = p;
          results[j].offset = c - length_;
          results[j].overlap = a.overlap;
        }
      }
      results[j].p_value = best_of_n(best, (to - from + 1) * strands);
    }
    return results;
  }

  const TomtomDatabase& db_;
  const TomtomOptions& options_;
  int length_ = 0;
  size_t columns_ = 0;
  double offset_ = 0;
  double scale_ = 1;
  int unit_shift_ = 0;  // -offset_ * scale_: the scaled value of a median (zero) column score
  std::vector<double> raw_;
  std::vector<double> sorted_;
  std::vector<uint16_t> bucket_;
  std::vector<size_t> bucket_count_;
  std::vector<uint8_t> scaled_rows_;  // row-major (i * columns_ + c)
  std::vector<uint8_t> scaled_;       // column-major (c * length_ + i)
  std::vector<std::vector<std::pair<int, double>>> bins_;
  std::vector<double> current_, next_, survival_;
  std::vector<std::vector<std::pair<size_t, int>>> uses_;
  std::vector<std::vector<std::pair<int, size_t>>> requests_;
};

// Ranks one query's entries, computes q- and E-values and keeps the matches that pass the
// threshold (each target once).
std::vector<TomtomMatch> finish_query(size_t query, const std::vector<EntryResult>& results,
                                      const TomtomDatabase& db, MemeRandom& random) {
  const auto& options = db.options();
  const auto& entries = db.entries();
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0);
  // MEME's order: p-value, larger overlap, target file, then the id with its strand in front
  // ('+' sorts before '-').
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& ra = results[a];
    const auto& rb = results[b];
    if (ra.p_value != rb.p_value) return ra.p_value < rb.p_value;
    if (ra.overlap != rb.overlap) return ra.overlap > rb.overlap;
    const auto& ea = entries[a];
    const auto& eb = entries[b];
    if (db.source(ea.target) != db.source(eb.target)) {
      return db.source(ea.target) < db.source(eb.target);
    }
    if (ea.reverse != eb.reverse) return !ea.reverse;
    const auto& ta = db.target(ea.target);
    const auto& tb = db.target(eb.target);
    const int by_id = std::strcmp(ta.id.c_str(), tb.id.c_str());
    return by_id != 0 ? by_id < 0 : ta.name < tb.name;
  });
  std::vector<double> sorted_p(order.size());
  for (size_t k = 0; k < order.size(); ++k) sorted_p[k] = results[order[k]].p_value;
  const std::vector<double> q = storey_qvalues(sorted_p, random);

  const size_t count = entries.size();
  const int strands = options.both_strands ? 2 : 1;
  std::vector<TomtomMatch> matches;
  std::vector<bool> seen(db.size(), false);
  for (size_t k = 0; k < order.size(); ++k) {
    const auto& r = results[order[k]];
    const auto& e = entries[order[k]];
    double e_value;
    if (options.incomplete_scores) {
      e_value = r.p_value * static_cast<double>(db.size());
    } else {
      // Single precision, as MEME computes it.
      e_value =
          static_cast<float>(r.p_value) * static_cast<float>(count) / static_cast<float>(strands);
    }
    if ((options.threshold_on_evalue ? e_value : q[k]) > options.threshold) break;
    if (seen[e.target]) continue;
    seen[e.target] = true;
    matches.push_back({query, e.target, e.reverse, r.offset, r.overlap, r.p_value, e_value, q[k]});
  }
  return matches;
}

}  // namespace

TomtomDistance parse_tomtom_distance(const std::string& name) {
  if (name == "pearson") return TomtomDistance::kPearson;
  if (name == "ed") return TomtomDistance::kEuclidean;
  if (name == "sandelin") return TomtomDistance::kSandelin;
  if (name == "allr") return TomtomDistance::kAllr;
  throw UsageError("unknown Tomtom distance '" + name +
                   "' (expected pearson, ed, sandelin or allr)");
}

std::string tomtom_distance_name(TomtomDistance distance) {
  switch (distance) {
    case TomtomDistance::kPearson:
      return "pearson";
    case TomtomDistance::kEuclidean:
      return "ed";
    case TomtomDistance::kSandelin:
      return "sandelin";
    case TomtomDistance::kAllr:
      return "allr";
  }
  return "";
}

double tomtom_column_score(TomtomDistance distance, const Column& query_column, double query_sites,
                           const Column& target_column, double target_sites,
                           const Column& background) {
  switch (distance) {
    case TomtomDistance::kPearson: {
      // MEME centres on 1/4 (one over the alphabet size), whatever the background.
      double numerator = 0, query_squares = 0, target_squares = 0;
      for (int b = 0; b < 4; ++b) {
        const double x = query_column[b] - 0.25;
        const double y = target_column[b] - 0.25;
        numerator += x * y;
        query_squares += x * x;
        target_squares += y * y;
      }
      const double denominator = std::sqrt(query_squares * target_squares);
      return denominator != 0 ? numerator / denominator : 0;
    }
    case TomtomDistance::kEuclidean:
    case TomtomDistance::kSandelin: {
      double sum = 0;
      for (int b = 0; b < 4; ++b) {
        const double d = query_column[b] - target_column[b];
        sum += d * d;
      }
      return distance == TomtomDistance::kEuclidean ? -std::sqrt(sum) : 2 - sum;
    }
    case TomtomDistance::kAllr: {
      double numerator = 0, denominator = 0;
      for (int b = 0; b < 4; ++b) {
        numerator += target_sites * target_column[b] * std::log(query_column[b] / background[b]) +
                     query_sites * query_column[b] * std::log(target_column[b] / background[b]);
        denominator += query_sites * query_column[b] + target_sites * target_column[b];
      }
      return numerator / denominator;
    }
  }
  return 0;
}

Motif with_tomtom_pseudocount(const Motif& motif, double pseudocount, const Column& background) {
  Motif out = motif;
  if (pseudocount == 0) return out;
  const int sites = pseudocount_sites(motif.sites);
  const double total = sites + pseudocount;
  for (auto& row : out.probabilities) {
    for (int b = 0; b < 4; ++b) row[b] = (row[b] * sites + pseudocount * background[b]) / total;
  }
  return out;
}

std::string tomtom_consensus(const Motif& motif, const TomtomOptions& options) {
  return consensus_of(
      with_tomtom_pseudocount(motif, options.pseudocount, options.background).probabilities);
}

TomtomDatabase::TomtomDatabase(const std::vector<Motif>& targets, const TomtomOptions& options,
                               const std::vector<int>& source_of_target)
    : options_(options) {
  if (!source_of_target.empty() && source_of_target.size() != targets.size()) {
    throw Error("TomtomDatabase: one source per target expected");
  }
  if (options.min_overlap < 0) throw UsageError("Tomtom: min_overlap must not be negative");
  if (options.pseudocount < 0) throw UsageError("Tomtom: the pseudocount must not be negative");
  targets_ = targets;
  source_ = source_of_target.empty() ? std::vector<int>(targets.size(), 0) : source_of_target;
  for (size_t t = 0; t < targets_.size(); ++t) {
    if (targets_[t].length() == 0) {
      throw Error("target motif '" + targets_[t].id + "' has no columns");
    }
    const Motif forward =
        with_tomtom_pseudocount(targets_[t], options.pseudocount, options.background);
    for (int strand = 0; strand < (options.both_strands ? 2 : 1); ++strand) {
      const Motif m = strand == 0 ? forward : reverse_complement(forward);
      Entry e;
      e.target = t;
      e.reverse = strand == 1;
      e.length = static_cast<int>(m.length());
      e.first_column = column_sites_.size();
      e.consensus = consensus_of(m.probabilities);
      entries_.push_back(std::move(e));
      for (const auto& row : m.probabilities) {
        double square_sum = 0;
        for (int b = 0; b < 4; ++b) {
          if (options.distance == TomtomDistance::kAllr && row[b] <= 0) {
            throw UsageError("Tomtom allr: motif '" + m.id +
                             "' has a zero probability (use a pseudocount > 0)");
          }
          column_probability_[b].push_back(row[b]);
          double term = 0;
          if (options.distance == TomtomDistance::kPearson) {
            term = row[b] - 0.25;
            square_sum += term * term;
          } else if (options.distance == TomtomDistance::kAllr) {
            term = std::log(row[b] / options.background[b]);
          }
          column_term_[b].push_back(term);
        }
        column_square_sum_.push_back(square_sum);
        column_sites_.push_back(score_sites(m.sites));
      }
    }
  }
}

const TomtomDatabase::Entry& TomtomDatabase::entry(size_t target, bool reverse) const {
  const size_t strands = options_.both_strands ? 2 : 1;
  return entries_[target * strands + (reverse ? 1 : 0)];
}

std::vector<TomtomMatch> compare_motifs(const std::vector<Motif>& queries,
                                        const TomtomDatabase& database) {
  const auto& options = database.options();
  if (options.distance == TomtomDistance::kAllr) {
    for (const auto& q : queries) {
      const Motif m = with_tomtom_pseudocount(q, options.pseudocount, options.background);
      for (const auto& row : m.probabilities) {
        for (double v : row) {
          if (v <= 0) {
            throw UsageError("Tomtom allr: motif '" + q.id +
                             "' has a zero probability (use a pseudocount > 0)");
          }
        }
      }
    }
  }
  // Queries are scored in parallel. Their q-values draw from one random stream in query order
  // (as MEME's do), so the calling thread finishes each query as soon as it and all earlier
  // ones are scored, and scores queries itself while it waits.
  const size_t n = queries.size();
  std::vector<std::vector<EntryResult>> results(n);
  std::vector<std::vector<TomtomMatch>> per_query(n);
  std::vector<char> ready(n, 0);
  std::mutex mutex;
  std::condition_variable scored;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  auto score_one = [&](QueryScorer& scorer, size_t i) {
    try {
      auto r = database.size() > 0 ? scorer.score(queries[i]) : std::vector<EntryResult>{};
      std::lock_guard<std::mutex> lock(mutex);
      results[i] = std::move(r);
      ready[i] = 1;
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!failed.exchange(true)) failure = std::current_exception();
    }
    scored.notify_all();
  };
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1U, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(threads, n)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back([&] {
      QueryScorer scorer(database);
      for (size_t i = next++; i < n && !failed; i = next++) score_one(scorer, i);
    });
  }
  QueryScorer scorer(database);
  MemeRandom random;
  for (size_t finished = 0; finished < n && !failed;) {
    bool is_ready;
    {
      std::lock_guard<std::mutex> lock(mutex);
      is_ready = ready[finished] != 0;
    }
    if (is_ready) {
      if (!results[finished].empty()) {
        per_query[finished] = finish_query(finished, results[finished], database, random);
      }
      results[finished] = {};
      ++finished;
      continue;
    }
    const size_t i = next++;
    if (i < n) {
      score_one(scorer, i);
      continue;
    }
    std::unique_lock<std::mutex> lock(mutex);
    scored.wait(lock, [&] { return ready[finished] != 0 || failed; });
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  std::vector<TomtomMatch> matches;
  for (auto& m : per_query) matches.insert(matches.end(), m.begin(), m.end());
  return matches;
}

std::vector<TomtomMatch> compare_motifs(const std::vector<Motif>& queries,
                                        const std::vector<Motif>& targets,
                                        const TomtomOptions& options) {
  return compare_motifs(queries, TomtomDatabase(targets, options));
}

std::string format_tomtom_tsv(const std::vector<Motif>& queries, const TomtomDatabase& database,
                              const std::vector<TomtomMatch>& matches, const std::string& version,
                              const std::string& command_line) {
  // MEME prints its single-precision values with %g.
  auto number = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", static_cast<double>(static_cast<float>(v)));
    return std::string(buffer);
  };
  std::string out =
      "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\t"
      "Query_consensus\tTarget_consensus\tOrientation\n";
  std::vector<std::string> query_consensus(queries.size());
  for (const auto& m : matches) {
    if (query_consensus[m.query].empty()) {
      query_consensus[m.query] = tomtom_consensus(queries[m.query], database.options());
    }
    const auto& entry = database.entry(m.target, m.reverse_complement);
    out += queries[m.query].id + '\t' + database.target(m.target).id + '\t' +
           std::to_string(m.offset) + '\t' + number(m.p_value) + '\t' + number(m.e_value) + '\t' +
           number(m.q_value) + '\t' + std::to_string(m.overlap) + '\t' + query_consensus[m.query] +
           '\t' + entry.consensus + '\t' + (m.reverse_complement ? "-\n" : "+\n");
  }
  out += "\n# helix " + version + " tomtom (the method of MEME Suite 4.12 Tomtom)\n";
  out += "# " + command_line + "\n";
  return out;
}

}  // namespace helix::motif
