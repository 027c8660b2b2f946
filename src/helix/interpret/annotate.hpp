// Naming and structuring what a layer's neurons learned (NeuronMotif §5): the high-information
// segments of each leaf PPM matched to a motif database with the built-in Tomtom, a motif
// dictionary per neuron (segments of its leaves grouped by mutual Tomtom matches), and the
// neuron's grammar: which dictionary motifs its leaves contain, in which order, at which gaps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "helix/interpret/neuronmotif.hpp"
#include "helix/interpret/ppm.hpp"
#include "helix/motif/motif.hpp"
#include "helix/motif/tomtom.hpp"

namespace helix::interpret {

struct LeafSegment {
  int64_t neuron = 0;
  size_t leaf = 0;
  Segment segment;
  motif::Motif motif;  // id <leaf id>_<start>_<end> (inclusive, as the original's .sel files)
};

// §5.2 annotation segments (pseudo-count 80) of every leaf of every neuron, as motifs.
std::vector<LeafSegment> annotation_motifs(const LayerResult& layer, const SegmentOptions& o);

struct DatabaseHit {
  std::string target_id;
  std::string target_name;
  double p_value = 1;
  double q_value = 1;
  double e_value = 0;
  int offset = 0;
  bool reverse_complement = false;
};

// The best hit (smallest p-value) of each of `queries` queries among `matches` at q <= max_q,
// or nothing.
std::vector<std::optional<DatabaseHit>> best_hits(const std::vector<motif::TomtomMatch>& matches,
                                                  size_t queries,
                                                  const motif::TomtomDatabase& database,
                                                  double max_q);
// The same after comparing the queries with the database.
std::vector<std::optional<DatabaseHit>> best_hits(const std::vector<motif::Motif>& queries,
                                                  const motif::TomtomDatabase& database,
                                                  double max_q);

struct DictionaryMotif {
  std::string label;     // the best database match's name at q < 0.05, else m1, m2, ...
  motif::Motif motif;    // the longest segment of its group
  int64_t segments = 0;  // segments in the group
  int64_t leaves = 0;    // leaves with a segment in the group
  std::optional<DatabaseHit> hit;
};

struct GrammarPattern {
  std::vector<std::string> motifs;  // dictionary labels in order along the sequence
  std::vector<std::string> gaps;    // between adjacent motifs: "g" or "a~b" bp
  int64_t leaves = 0;               // leaves showing exactly this order
  std::string tree;                 // adjacent pairs merged narrowest distance range first
};

struct NeuronGrammar {
  int64_t neuron = 0;
  std::vector<DictionaryMotif> dictionary;
  // Patterns of several motifs first, then single motifs; each by the leaves showing it.
  std::vector<GrammarPattern> patterns;
};

struct GrammarOptions {
  SegmentOptions segments;
  double link_q = 0.01;   // segments linked into one dictionary motif
  double place_q = 1e-3;  // a segment is placed as an instance of a dictionary motif
  double label_q = 0.05;  // a dictionary motif is named after its database match
};

// `database` may be null (no names). Comparisons within a neuron are on the forward strand (the
// leaves of a neuron share its orientation), as in the original.
NeuronGrammar neuron_grammar(const NeuronResult& neuron, const motif::TomtomDatabase* database,
                             const GrammarOptions& o);

}  // namespace helix::interpret
