// Naming and structuring what a layer's neurons learned (NeuronMotif §5): the high-information
// segments of each leaf PPM matched to a motif database with the built-in Tomtom, a motif
// dictionary per neuron (segments of its leaves grouped by mutual Tomtom matches), and the
// neuron's grammar: which dictionary motifs its leaves contain, in which order, at which gaps.
#pragma once

#include <cstdint>
#include <memory>
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
  std::string label;      // the best database match's name at q < 0.05, else m1, m2, ...
  motif::Motif motif;     // a typical (median-length) segment of its group
  int64_t segments = 0;   // segments of the neuron's leaves whose best dictionary match it is
  int64_t leaves = 0;     // leaves with such a segment (the leaves it explains)
  bool leftover = false;  // promoted from the leftovers (§5.3 step 3), not by the greedy loop
  std::optional<DatabaseHit> hit;
};

// A combination of adjacent template slots [first, last] (a single motif when first == last):
// the syntax tree's nodes.
struct GrammarNode {
  std::string text;  // a label, or "(A -[gap]- B)" nested as merged
  size_t first = 0;
  size_t last = 0;
  // 1-based layer of the first neuron whose leaf segments hold all the node's motifs (with
  // multiplicity) at q < 1e-5: a lower layer when known, else the neuron's own; 0: not computed.
  int64_t earliest_layer = 0;
};

struct GrammarPattern {
  std::vector<std::string> motifs;    // dictionary labels in order along the sequence
  std::vector<size_t> motif_indices;  // the same as indices into the dictionary
  std::vector<std::string> gaps;      // between adjacent motifs: "g" or "a~b" bp
  int64_t leaves = 0;                 // leaves showing exactly this order
  int64_t partial_leaves = 0;         // leaves showing an ordered part of it (absent slots)
  std::string tree;                   // adjacent pairs merged narrowest distance range first
  std::vector<GrammarNode> nodes;     // single motifs, then the merges in merge order
};

struct NeuronGrammar {
  int64_t neuron = 0;
  std::vector<DictionaryMotif> dictionary;
  // Templates of several motifs first, then single motifs; each by the leaves showing it.
  std::vector<GrammarPattern> patterns;
};

struct GrammarOptions {
  SegmentOptions segments;
  double link_q = 0.01;         // selected segments linked into one dictionary motif (§5.3 2a)
  double prune_q = 1e-4;        // a dictionary motif needs 2 segments matching at this q (2b; N4)
  double explain_q = 1e-3;      // a leaf is explained by a segment matching at this q (2c)
  int64_t min_gain = 3;         // a leaf is added while the last one explained this many more (2d)
  double leftover_q = 1e-5;     // leftover segments matching each other (step 3)
  double leftover_share = 0.3;  // ... in at least this share of the leaves are promoted
  double place_q = 1e-3;        // a segment is placed as an instance of a dictionary motif (§5.4)
  double label_q = 0.05;        // a dictionary motif is named after its database match
  double earliest_q = 1e-5;     // a lower layer's segment holds a dictionary motif (§5.4 step 6)
};

// `database` may be null (no names). Comparisons within a neuron are on the forward strand (the
// leaves of a neuron share its orientation), as in the original.
NeuronGrammar neuron_grammar(const NeuronResult& neuron, const motif::TomtomDatabase* database,
                             const GrammarOptions& o);

// The dictionary segments of every leaf of a finished layer, as a Tomtom database (both
// strands: another neuron may hold a motif in the other orientation), for earliest layers.
struct LayerSegments {
  int64_t layer = 0;               // 0-based
  std::vector<size_t> leaf_index;  // per segment: its leaf, numbered over the whole layer
  std::shared_ptr<const motif::TomtomDatabase> database;
};
LayerSegments layer_segments(const LayerResult& layer, const SegmentOptions& o);

// Sets earliest_layer of every node of every pattern: the lowest of `lower` (ascending layers
// below `layer`) with a leaf whose segments match the node's dictionary motifs one to one at
// q < o.earliest_q, else `layer` itself (1-based in the result).
void annotate_earliest_layers(NeuronGrammar& grammar, int64_t layer,
                              const std::vector<LayerSegments>& lower, const GrammarOptions& o);

}  // namespace helix::interpret
