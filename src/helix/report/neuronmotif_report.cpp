#include "helix/report/neuronmotif_report.hpp"

#include "helix/report/logo.hpp"
#include "helix/util/log.hpp"

namespace helix::report {
namespace {

std::string hit_text(const std::optional<interpret::DatabaseHit>& hit) {
  if (!hit) return "";
  return (hit->target_name.empty() ? hit->target_id
                                   : hit->target_name + " (" + hit->target_id + ")") +
         (hit->reverse_complement ? " −" : " +") + ", q = " + format_significant(hit->q_value, 3);
}

std::string small_logo(const interpret::Matrix& ppm) {
  LogoOptions o;
  o.column_width = ppm.size() > 60 ? 8 : 14;
  o.height = 56;
  o.show_positions = ppm.size() <= 40;
  return logo_svg(ppm, o);
}

}  // namespace

HtmlPage neuronmotif_report(const NeuronMotifReportInput& input) {
  const auto& layer = *input.layer;
  HtmlPage page("NeuronMotif, layer " + std::to_string(layer.layer + 1));
  int64_t matched = 0, alive = 0;
  for (size_t i = 0; i < layer.neurons.size(); ++i) {
    if (!layer.neurons[i].leaves.empty()) ++alive;
    bool any = false;
    if (i < input.leaf_hits.size()) {
      for (const auto& h : input.leaf_hits[i]) any = any || (h && h->q_value < 0.05);
    }
    matched += any ? 1 : 0;
  }
  std::string summary = "Model " + input.model_path + "; receptive field " +
                        std::to_string(layer.receptive_field) + " bp; motif_nb " +
                        std::to_string(layer.motif_nb) +
                        (layer.motif_nb_accepted ? "" : " (no value passed the C/M test)") + "; " +
                        std::to_string(layer.neurons.size()) + " neurons, " +
                        std::to_string(alive) + " with samples.";
  page.add_paragraph(summary);
  if (!input.database_path.empty()) {
    page.add_paragraph("Database " + input.database_path + ": " + std::to_string(matched) + " of " +
                       std::to_string(layer.neurons.size()) +
                       " neurons have a leaf segment matching it at q < 0.05 (built-in Tomtom).");
  }
  page.add_paragraph(
      "Each leaf is one demixed sub-population of a neuron's activating sequences; its logo is the "
      "activation-weighted PPM. C/M is the activation of the PPM's consensus sequence over the "
      "neuron's maximum sampled activation (near 1: the PPM is a faithful summary).");
  for (size_t i = 0; i < layer.neurons.size(); ++i) {
    const auto& neuron = layer.neurons[i];
    std::string html = "<p>" +
                       html_escape(neuron.method + ", " + std::to_string(neuron.samples) +
                                   " activating sequences, max activation " +
                                   format_significant(neuron.max_activation) + ", " +
                                   std::to_string(neuron.leaves.size()) + " leaves") +
                       "</p>";
    std::vector<std::vector<std::string>> rows;
    for (size_t l = 0; l < neuron.leaves.size(); ++l) {
      const auto& leaf = neuron.leaves[l];
      std::optional<interpret::DatabaseHit> hit;
      if (i < input.leaf_hits.size() && l < input.leaf_hits[i].size()) hit = input.leaf_hits[i][l];
      rows.push_back({std::to_string(l), small_logo(leaf.ppm), std::to_string(leaf.n),
                      format_significant(leaf.max_activation),
                      format_significant(leaf.quality(), 3), hit_text(hit)});
    }
    HtmlPage table("");
    if (!rows.empty()) {
      table.add_table({"leaf", "logo", "n", "max act", "C/M", "best match"}, rows, {1});
    }
    if (i < input.grammars.size() && !input.grammars[i].dictionary.empty()) {
      const auto& g = input.grammars[i];
      std::vector<std::vector<std::string>> dict;
      for (const auto& d : g.dictionary) {
        dict.push_back({d.label, small_logo(d.motif.probabilities), std::to_string(d.leaves),
                        hit_text(d.hit)});
      }
      table.add_heading("Motif dictionary", 3);
      table.add_table({"motif", "logo", "leaves", "database match"}, dict, {1});
      std::vector<std::vector<std::string>> grammar;
      bool layers_known = false;
      for (const auto& p : g.patterns) {
        // The earliest layer of the whole arrangement (the last merge), when computed.
        const auto earliest = p.nodes.empty() ? 0 : p.nodes.back().earliest_layer;
        layers_known = layers_known || earliest > 0;
        grammar.push_back({p.tree, std::to_string(p.leaves), std::to_string(p.partial_leaves),
                           earliest > 0 ? std::to_string(earliest) : ""});
      }
      table.add_heading("Grammar (gaps in bp)", 3);
      std::vector<std::string> header = {"motifs and gaps", "leaves", "leaves with absent motifs"};
      if (layers_known) {
        header.push_back("earliest layer");
      } else {
        for (auto& row : grammar) row.pop_back();
      }
      table.add_table(header, grammar);
    }
    page.add_section("Neuron " + std::to_string(neuron.neuron), html + table.body());
  }
  return page;
}

}  // namespace helix::report
