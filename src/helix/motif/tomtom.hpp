// Tomtom motif comparison (Gupta, Stamatoyannopoulos, Bailey & Noble, Genome Biology 8:R24,
// 2007), computed the way the MEME Suite's `tomtom` 4.12 computes it, so that rankings, offsets,
// orientations, overlaps and p-, E- and q-values agree with it:
//
//  1. Both motifs get MEME's pseudocount: p' = (p·n + a·b) / (n + a), n = the integer part of the
//     motif's sites (20 when unknown), a = 0.1, b = background.
//  2. Every query column is scored against every column of the database (all targets, both
//     strands) with the column similarity (Pearson by default).
//  3. Complete scoring (MEME's default): each query column's scores are shifted by their median
//     over the database, so that an unaligned column contributes 0; the score of an alignment is
//     the sum over its aligned columns. The scores are scaled to integers (0..100 per column).
//  4. The null distribution of the score of each run of query columns is the convolution of the
//     per-column score distributions over all database columns (dynamic programming).
//  5. Per target, the best offset and strand are the alignment with the highest score (ties: the
//     larger overlap). Its p-value is that of the maximum over all offsets and both strands of
//     independent alignment scores, for a target of that length. E = p × number of targets.
//  6. q-values by Storey's method over the p-values of all targets and strands, with MEME's
//     bootstrap estimate of pi0 (the bootstrap replays MEME's own random number stream, so the
//     q-values of a whole run agree with MEME's too).
//
// The incomplete-scores mode (MEME's -incomplete-scores) scores only the aligned columns and
// corrects the best alignment p-value for the number of offsets instead.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "helix/motif/motif.hpp"

namespace helix::motif {

// Column similarity functions (MEME's -dist).
enum class TomtomDistance {
  kPearson,    // Pearson correlation of the two columns (MEME: pearson)
  kEuclidean,  // minus the Euclidean distance (MEME: ed)
  kSandelin,   // 2 minus the squared Euclidean distance, Sandelin & Wasserman 2004 (MEME: sandelin)
  kAllr,       // average log-likelihood ratio, Wang & Stormo 2003 (MEME: allr)
};

// "pearson", "ed", "sandelin" or "allr"; UsageError otherwise.
TomtomDistance parse_tomtom_distance(const std::string& name);
std::string tomtom_distance_name(TomtomDistance distance);

struct TomtomOptions {
  TomtomDistance distance = TomtomDistance::kPearson;
  // Alignments must overlap by at least this many columns (capped at the shorter motif's length).
  int min_overlap = 1;
  bool both_strands = true;  // false: targets on the given strand only (MEME's -norc)
  bool incomplete_scores = false;
  // Added to every motif as MEME does (-motif-pseudo); 0 leaves the probabilities as they are.
  double pseudocount = 0.1;
  std::array<double, 4> background{0.25, 0.25, 0.25, 0.25};  // A, C, G, T
  // Matches are reported while q-value <= threshold (or E-value <= threshold with
  // threshold_on_evalue), in order of p-value.
  double threshold = 0.5;
  bool threshold_on_evalue = false;
  int threads = 0;  // worker threads over queries; 0 = one per available CPU
};

// The similarity of a query column and a target column (A, C, G, T probabilities). `*_sites`
// are the motifs' site counts (used by allr only). Higher is more similar.
double tomtom_column_score(TomtomDistance distance, const std::array<double, 4>& query_column,
                           double query_sites, const std::array<double, 4>& target_column,
                           double target_sites, const std::array<double, 4>& background);

// The motif as Tomtom compares it: MEME's pseudocount (see the top of this file) applied.
Motif with_tomtom_pseudocount(const Motif& motif, double pseudocount,
                              const std::array<double, 4>& background);

// MEME's consensus: the most probable base per position of the motif with the pseudocount
// applied. Like MEME, the running maximum is kept in single precision, so among (nearly) equal
// bases the pick follows rounding.
std::string tomtom_consensus(const Motif& motif, const TomtomOptions& options);

// The targets prepared once (pseudocounts, reverse complements, per-column terms of the distance
// function) and compared with any number of queries. Target i is targets[i] (MEME drops motifs
// whose id repeats one of the same file; `helix tomtom` does that before building the database).
class TomtomDatabase {
 public:
  // source_of_target[i]: which file target i came from (0 for all when empty). Ties in p-value
  // and overlap are broken by source, then strand ('+' first), then id (and name), as in MEME.
  TomtomDatabase(const std::vector<Motif>& targets, const TomtomOptions& options,
                 const std::vector<int>& source_of_target = {});

  const TomtomOptions& options() const { return options_; }
  size_t size() const { return targets_.size(); }
  // Target i as given (without the pseudocount).
  const Motif& target(size_t i) const { return targets_[i]; }

  // One strand of one target, as scored.
  struct Entry {
    size_t target = 0;
    bool reverse = false;
    int length = 0;
    size_t first_column = 0;  // into the column arrays below
    std::string consensus;
  };
  // Entries in order: target 0 ('+', then '-' when both strands), target 1, ...
  const std::vector<Entry>& entries() const { return entries_; }
  const Entry& entry(size_t target, bool reverse) const;
  int source(size_t target) const { return source_[target]; }

  // Per database column (entries in order, each entry's columns in order): the probabilities
  // with the pseudocount, the per-column term of the distance function (Pearson: the column
  // minus 0.25; allr: log(probability / background); unused otherwise), Pearson's sum of squares
  // of that term, and the entry's site count.
  size_t column_count() const { return column_sites_.size(); }
  const std::vector<double>& column_probability(int base) const {
    return column_probability_[base];
  }
  const std::vector<double>& column_term(int base) const { return column_term_[base]; }
  const std::vector<double>& column_square_sum() const { return column_square_sum_; }
  const std::vector<double>& column_sites() const { return column_sites_; }

 private:
  TomtomOptions options_;
  std::vector<Motif> targets_;
  std::vector<int> source_;
  std::vector<Entry> entries_;
  std::array<std::vector<double>, 4> column_probability_;
  std::array<std::vector<double>, 4> column_term_;
  std::vector<double> column_square_sum_;
  std::vector<double> column_sites_;
};

struct TomtomMatch {
  size_t query = 0;                 // index into the queries
  size_t target = 0;                // index into the database's targets
  bool reverse_complement = false;  // the target matched on the other strand ('-')
  int offset = 0;   // MEME's optimal offset: target start relative to the query start
  int overlap = 0;  // aligned columns
  double p_value = 1;
  double e_value = 0;
  double q_value = 1;
};

// Compares each query with every target. Returns the matches that pass the threshold, grouped by
// query (in query order) and sorted within a query by p-value, each target at most once (its
// better strand). The q-value bootstrap continues MEME's random stream from one query to the
// next, so a query's q-values depend on its position in `queries` (as they do in MEME).
std::vector<TomtomMatch> compare_motifs(const std::vector<Motif>& queries,
                                        const TomtomDatabase& database);
std::vector<TomtomMatch> compare_motifs(const std::vector<Motif>& queries,
                                        const std::vector<Motif>& targets,
                                        const TomtomOptions& options);

// The text output: the header line below, one row per match (numbers as C's %g of MEME's
// single-precision values), then comment lines with the version and the command line.
//   Query_ID Target_ID Optimal_offset p-value E-value q-value Overlap Query_consensus
//   Target_consensus Orientation
std::string format_tomtom_tsv(const std::vector<Motif>& queries, const TomtomDatabase& database,
                              const std::vector<TomtomMatch>& matches, const std::string& version,
                              const std::string& command_line);

}  // namespace helix::motif
