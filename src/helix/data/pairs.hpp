// Positive pairs for contrastive pretraining on RNA (IsoCLR/Orthrus, docs/methods/isoclr.md
// section 3). A corpus holds every sequence the sampler can hand out; anchors are the
// reference-species sequences; each anchor has its splice isoforms (other transcripts of its
// gene, or of its homology group) and its orthologs (aligned sequences of other species, or
// transcripts of homologous genes). Each draw picks ONE partner for an anchor and records the
// pair type, so that the loss can weight pair types.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace helix::data {

enum class PairType : int8_t { kSelf = 0, kSplice = 1, kOrtho = 2 };
const char* pair_type_name(PairType type);  // "self", "splice", "ortho"

// One sequence with its RNA annotation (transcript coordinates).
struct RnaRecord {
  std::string id;
  std::string group;                  // gene (or homology group) of a transcript; "" otherwise
  std::string sequence;               // mature, 5'->3', uppercase
  std::vector<int64_t> exon_lengths;  // transcript order; one entry for unspliced sequence
  int64_t cds_begin = -1, cds_end = -1;
};

struct PairCorpus {
  std::vector<RnaRecord> records;
  std::vector<int64_t> anchors;                 // record indices
  std::vector<std::vector<int64_t>> isoforms;   // per anchor: partner record indices
  std::vector<std::vector<int64_t>> orthologs;  // per anchor: partner record indices

  // Adds transcripts as anchors. Transcripts that share `group` are each other's splice
  // isoforms; with `homology` (gene -> homology group), transcripts of different genes of one
  // group are each other's orthologs (homologs), as IsoCLR's HomoloGene positives.
  void add_transcripts(std::vector<RnaRecord> transcripts,
                       const std::unordered_map<std::string, std::string>& homology = {});
  // Adds one anchor with its ortholog sequences (e.g. the species of one MAF block).
  void add_ortholog_group(RnaRecord anchor, std::vector<RnaRecord> partners);

  int64_t num_anchors() const { return static_cast<int64_t>(anchors.size()); }
  // Counts for logs and the run summary: anchors, records, anchors with isoforms / orthologs /
  // neither.
  std::string summary() const;
};

// Reads a two-column table (TSV or CSV, '#' comments, no header needed): gene id, homology
// group. Throws InputError (file, line) for a row without exactly two fields or a gene listed
// twice with different groups.
std::unordered_map<std::string, std::string> read_homology_table(const std::string& path);

struct PairDraw {
  int64_t anchor = 0;   // record index
  int64_t partner = 0;  // record index (== anchor for a self pair)
  PairType type = PairType::kSelf;
};

// Draws the partner of anchor number `a` (an index into corpus.anchors). p_ortho < 0: uniform
// over the union of isoforms and orthologs (the published code, I8). p_ortho in [0, 1]: when
// both kinds exist an ortholog with probability p_ortho, else an isoform; else whichever kind
// exists. An anchor without partners is paired with itself (type self).
PairDraw draw_pair(const PairCorpus& corpus, int64_t a, double p_ortho, std::mt19937_64& rng);

// Anchors split by length into the short (L < threshold) and long buckets, and the 5 % hold-out
// of the short bucket (I5) used for validation.
struct AnchorBuckets {
  std::vector<int64_t> short_train, long_train, validation;  // anchor numbers
  // Probability that a training batch comes from the long bucket, chosen so that every
  // training anchor is drawn at the same rate although long batches are smaller:
  // p = N_long B_short / (N_long B_short + N_short B_long).
  double long_batch_probability(int64_t batch_short, int64_t batch_long) const;
};
AnchorBuckets bucket_anchors(const PairCorpus& corpus, int64_t long_threshold,
                             double holdout_fraction, uint64_t seed);

}  // namespace helix::data
