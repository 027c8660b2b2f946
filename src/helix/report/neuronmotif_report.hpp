// The HTML page of one NeuronMotif layer: a summary, then per neuron its leaf logos with size,
// maximum and consensus activation (C/M) and best database match, its motif dictionary and its
// grammar. Self-contained (inline SVG logos), so it opens offline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "helix/interpret/annotate.hpp"
#include "helix/interpret/neuronmotif.hpp"
#include "helix/report/html.hpp"

namespace helix::report {

struct NeuronMotifReportInput {
  const interpret::LayerResult* layer = nullptr;
  std::string model_path;
  std::string database_path;  // empty: no database matching
  // Per neuron (in layer order) and leaf: best database hit of any of its annotation segments.
  std::vector<std::vector<std::optional<interpret::DatabaseHit>>> leaf_hits;
  std::vector<interpret::NeuronGrammar> grammars;  // per neuron, in layer order
};

HtmlPage neuronmotif_report(const NeuronMotifReportInput& input);

}  // namespace helix::report
