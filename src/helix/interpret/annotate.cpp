#include "helix/interpret/annotate.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <set>

namespace helix::interpret {
namespace {

motif::Motif segment_motif(const std::string& id, const Matrix& ppm, const Segment& s, double n) {
  motif::Motif m;
  m.id = id + "_" + std::to_string(s.start) + "_" + std::to_string(s.end - 1);
  m.probabilities.assign(ppm.begin() + s.start, ppm.begin() + s.end);
  m.sites = n;
  return m;
}

std::string range_text(int64_t lo, int64_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "~" + std::to_string(hi);
}

struct UnionFind {
  std::vector<size_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t find(size_t i) { return parent[i] == i ? i : parent[i] = find(parent[i]); }
  void join(size_t a, size_t b) { parent[find(a)] = find(b); }
};

}  // namespace

std::vector<LeafSegment> annotation_motifs(const LayerResult& layer, const SegmentOptions& o) {
  std::vector<LeafSegment> out;
  for (const auto& neuron : layer.neurons) {
    for (size_t l = 0; l < neuron.leaves.size(); ++l) {
      const auto& leaf = neuron.leaves[l];
      for (const auto& s : annotation_segments(leaf.ppm, double(leaf.n), o)) {
        out.push_back(
            {neuron.neuron, l, s,
             segment_motif(leaf_id(neuron.neuron, l, leaf), leaf.ppm, s, double(leaf.n))});
      }
    }
  }
  return out;
}

std::vector<std::optional<DatabaseHit>> best_hits(const std::vector<motif::TomtomMatch>& matches,
                                                  size_t queries,
                                                  const motif::TomtomDatabase& database,
                                                  double max_q) {
  std::vector<std::optional<DatabaseHit>> out(queries);
  for (const auto& m : matches) {
    if (m.q_value > max_q) continue;
    auto& best = out[m.query];
    if (best && best->p_value <= m.p_value) continue;
    const auto& target = database.target(m.target);
    best = DatabaseHit{target.id, target.name, m.p_value,           m.q_value,
                       m.e_value, m.offset,    m.reverse_complement};
  }
  return out;
}

std::vector<std::optional<DatabaseHit>> best_hits(const std::vector<motif::Motif>& queries,
                                                  const motif::TomtomDatabase& database,
                                                  double max_q) {
  if (queries.empty() || database.size() == 0)
    return std::vector<std::optional<DatabaseHit>>(queries.size());
  return best_hits(motif::compare_motifs(queries, database), queries.size(), database, max_q);
}

namespace {

// The dictionary segments (§5.2) of a neuron's leaves.
struct NeuronSegments {
  std::vector<motif::Motif> motifs;
  std::vector<size_t> leaf_of;
  std::vector<Segment> where;
};

NeuronSegments neuron_segments(const NeuronResult& neuron, const SegmentOptions& o) {
  NeuronSegments out;
  for (size_t l = 0; l < neuron.leaves.size(); ++l) {
    const auto& leaf = neuron.leaves[l];
    for (const auto& s : dictionary_segments(leaf.ppm, double(leaf.n), o)) {
      out.motifs.push_back(
          segment_motif(leaf_id(neuron.neuron, l, leaf), leaf.ppm, s, double(leaf.n)));
      out.leaf_of.push_back(l);
      out.where.push_back(s);
    }
  }
  return out;
}

motif::TomtomOptions forward_options(const GrammarOptions& o) {
  motif::TomtomOptions forward;
  forward.both_strands = false;
  forward.threshold = 1.0;
  forward.threads = 1;
  forward.min_overlap = static_cast<int>(o.segments.dictionary_min_length);
  return forward;
}

std::vector<motif::Motif> pick(const std::vector<motif::Motif>& all,
                               const std::vector<size_t>& indices) {
  std::vector<motif::Motif> out;
  out.reserve(indices.size());
  for (const auto i : indices) out.push_back(all[i]);
  return out;
}

// §5.3 step 1: (mean IC of the leaf's segments - mean IC elsewhere, scaled to its maximum over
// the leaves) + C/M + max activation / the neuron's largest. Leaves without segments score -inf.
std::vector<double> leaf_scores(const NeuronResult& neuron, const NeuronSegments& segments,
                                const SegmentOptions& o) {
  const size_t n = neuron.leaves.size();
  std::vector<double> contrast(n, 0.0);
  std::vector<bool> has_segment(n, false);
  for (size_t l = 0; l < n; ++l) {
    const auto& leaf = neuron.leaves[l];
    const auto smoothed = smooth(leaf.ppm, double(leaf.n), o.dictionary_pseudo);
    std::vector<bool> inside(smoothed.size(), false);
    for (size_t i = 0; i < segments.leaf_of.size(); ++i) {
      if (segments.leaf_of[i] != l) continue;
      has_segment[l] = true;
      for (auto p = segments.where[i].start; p < segments.where[i].end; ++p)
        inside[size_t(p)] = true;
    }
    double in_sum = 0, out_sum = 0;
    int64_t in_count = 0, out_count = 0;
    for (size_t p = 0; p < smoothed.size(); ++p) {
      (inside[p] ? in_sum : out_sum) += information_bits(smoothed[p]);
      ++(inside[p] ? in_count : out_count);
    }
    contrast[l] = (in_count > 0 ? in_sum / double(in_count) : 0.0) -
                  (out_count > 0 ? out_sum / double(out_count) : 0.0);
  }
  double top_contrast = 0, top_activation = 0;
  for (size_t l = 0; l < n; ++l) {
    if (has_segment[l]) top_contrast = std::max(top_contrast, contrast[l]);
    top_activation = std::max(top_activation, neuron.leaves[l].max_activation);
  }
  std::vector<double> out(n, -std::numeric_limits<double>::infinity());
  for (size_t l = 0; l < n; ++l) {
    if (!has_segment[l]) continue;
    out[l] = (top_contrast > 0 ? contrast[l] / top_contrast : 0.0) + neuron.leaves[l].quality() +
             (top_activation > 0 ? neuron.leaves[l].max_activation / top_activation : 0.0);
  }
  return out;
}

// A typical member of a group: of median length, then linked to most of the others. (The
// original takes the longest, which can be two adjacent motifs fused into one segment.)
size_t typical_member(const std::vector<size_t>& group, const std::vector<motif::Motif>& motifs,
                      const std::vector<int64_t>& links) {
  std::vector<size_t> lengths;
  lengths.reserve(group.size());
  for (const auto i : group) lengths.push_back(motifs[i].length());
  std::nth_element(lengths.begin(), lengths.begin() + int64_t(lengths.size() / 2), lengths.end());
  const auto median = static_cast<int64_t>(lengths[lengths.size() / 2]);
  auto distance = [&](size_t i) { return std::abs(int64_t(motifs[i].length()) - median); };
  size_t best = group[0];
  for (const auto i : group) {
    if (distance(i) < distance(best) || (distance(i) == distance(best) && links[i] > links[best])) {
      best = i;
    }
  }
  return best;
}

// The dictionary a set of selected segments gives (§5.3 step 2a-b): segments linked at q < link_q
// grouped, one typical member each; with `prune`, members matched by fewer than 2 of all the
// neuron's segments at q < prune_q dropped. Returns segment indices.
std::vector<size_t> dictionary_of(const std::vector<size_t>& selected,
                                  const std::vector<motif::Motif>& all, bool prune,
                                  const GrammarOptions& o) {
  if (selected.empty()) return {};
  const auto forward = forward_options(o);
  const auto chosen = pick(all, selected);
  UnionFind groups(selected.size());
  std::vector<int64_t> links(all.size(), 0);
  const motif::TomtomDatabase among(chosen, forward);
  for (const auto& m : motif::compare_motifs(chosen, among)) {
    if (m.q_value >= o.link_q) continue;
    groups.join(m.query, m.target);
    ++links[selected[m.query]];
  }
  std::map<size_t, std::vector<size_t>> members;
  for (size_t i = 0; i < selected.size(); ++i) members[groups.find(i)].push_back(selected[i]);
  std::vector<size_t> entries;
  entries.reserve(members.size());
  for (const auto& [root, group] : members) entries.push_back(typical_member(group, all, links));
  if (!prune) return entries;
  const motif::TomtomDatabase dictionary(pick(all, entries), forward);
  std::vector<int64_t> support(entries.size(), 0);
  for (const auto& m : motif::compare_motifs(all, dictionary)) {
    if (m.q_value < o.prune_q) ++support[m.target];
  }
  std::vector<size_t> kept;
  for (size_t e = 0; e < entries.size(); ++e) {
    if (support[e] >= 2) kept.push_back(entries[e]);
  }
  return kept;
}

// Per segment, its best dictionary match at q < max_q (or nothing).
std::vector<std::optional<motif::TomtomMatch>> best_entry(const std::vector<motif::Motif>& all,
                                                          const std::vector<size_t>& entries,
                                                          double max_q, const GrammarOptions& o) {
  std::vector<std::optional<motif::TomtomMatch>> out(all.size());
  if (entries.empty()) return out;
  const motif::TomtomDatabase dictionary(pick(all, entries), forward_options(o));
  for (const auto& m : motif::compare_motifs(all, dictionary)) {
    if (m.q_value >= max_q) continue;
    if (!out[m.query] || out[m.query]->p_value > m.p_value) out[m.query] = m;
  }
  return out;
}

std::vector<bool> explained_leaves(const NeuronSegments& segments,
                                   const std::vector<std::optional<motif::TomtomMatch>>& hits,
                                   size_t leaves) {
  std::vector<bool> out(leaves, false);
  for (size_t i = 0; i < hits.size(); ++i) {
    if (hits[i]) out[segments.leaf_of[i]] = true;
  }
  return out;
}

int64_t count(const std::vector<bool>& flags) {
  return std::count(flags.begin(), flags.end(), true);
}

struct Dictionary {
  std::vector<size_t> entries;  // segment indices
  std::vector<bool> leftover;   // per entry: promoted in step 3
};

// §5.3: the greedy dictionary, then the promoted leftovers.
Dictionary greedy_dictionary(const NeuronResult& neuron, const NeuronSegments& segments,
                             const GrammarOptions& o) {
  const auto& all = segments.motifs;
  const size_t leaves = neuron.leaves.size();
  // Pruning needs several leaves: in one or two, every motif is seen by one segment only.
  const bool prune = leaves >= 3;
  const auto scores = leaf_scores(neuron, segments, o.segments);
  std::vector<bool> selected_leaf(leaves, false), tried(leaves, false);
  auto best_unexplained = [&](const std::vector<bool>& explained) {
    std::optional<size_t> best;
    for (size_t l = 0; l < leaves; ++l) {
      if (selected_leaf[l] || tried[l] || explained[l] || !std::isfinite(scores[l])) continue;
      if (!best || scores[l] > scores[*best]) best = l;
    }
    return best;
  };
  auto selected_segments = [&] {
    std::vector<size_t> out;
    for (size_t i = 0; i < all.size(); ++i) {
      if (selected_leaf[segments.leaf_of[i]]) out.push_back(i);
    }
    return out;
  };
  std::vector<size_t> entries;
  std::vector<std::optional<motif::TomtomMatch>> hits(all.size());  // of `entries`
  std::vector<bool> explained(leaves, false);
  for (auto next = best_unexplained(explained); next; next = best_unexplained(explained)) {
    selected_leaf[*next] = true;
    auto candidate = dictionary_of(selected_segments(), all, prune, o);
    auto candidate_hits = best_entry(all, candidate, o.explain_q, o);
    const auto now = explained_leaves(segments, candidate_hits, leaves);
    const int64_t gain = count(now) - count(explained);
    // The gain asked of an addition: min_gain, or every leaf still unexplained when fewer are
    // left (so that a neuron of two leaves with different motifs keeps both).
    int64_t unexplained_left = 0;
    for (size_t l = 0; l < leaves; ++l) {
      unexplained_left += (!explained[l] && std::isfinite(scores[l])) ? 1 : 0;
    }
    if (gain >= std::min<int64_t>(o.min_gain, unexplained_left)) {
      entries = std::move(candidate);
      hits = std::move(candidate_hits);
      explained = now;
      continue;
    }
    // The addition explained too little and is not kept. While the dictionary is still empty
    // (the best leaf's motifs were seen nowhere else) the next leaf is tried; after that the
    // loop ends.
    selected_leaf[*next] = false;
    if (!entries.empty()) break;
    tried[*next] = true;
  }
  Dictionary out;
  out.entries = entries;
  out.leftover.assign(entries.size(), false);
  // Step 3: segments of explained leaves with no dictionary hit, matching each other at
  // q < leftover_q in at least leftover_share of the leaves, are promoted one at a time.
  std::vector<size_t> leftovers;
  for (size_t i = 0; i < all.size(); ++i) {
    if (explained[segments.leaf_of[i]] && !hits[i]) leftovers.push_back(i);
  }
  if (leftovers.size() >= 2) {
    const auto forward = forward_options(o);
    const auto rest = pick(all, leftovers);
    const motif::TomtomDatabase among(rest, forward);
    std::vector<std::vector<size_t>> partners(rest.size());  // leftover indices, self included
    for (size_t i = 0; i < rest.size(); ++i) partners[i].push_back(i);
    for (const auto& m : motif::compare_motifs(rest, among)) {
      if (m.q_value < o.leftover_q && m.query != m.target) partners[m.query].push_back(m.target);
    }
    std::vector<bool> taken(rest.size(), false);
    const auto needed = static_cast<int64_t>(std::ceil(o.leftover_share * double(leaves)));
    while (true) {
      std::optional<size_t> best;
      int64_t best_leaves = 0;
      for (size_t i = 0; i < rest.size(); ++i) {
        if (taken[i]) continue;
        std::vector<bool> seen(leaves, false);
        for (const auto j : partners[i]) {
          if (!taken[j]) seen[segments.leaf_of[leftovers[j]]] = true;
        }
        if (count(seen) > best_leaves) best = i, best_leaves = count(seen);
      }
      if (!best || best_leaves < std::max<int64_t>(needed, 2)) break;
      out.entries.push_back(leftovers[*best]);
      out.leftover.push_back(true);
      for (const auto j : partners[*best]) taken[j] = true;
    }
  }
  return out;
}

// Is `shorter` an ordered subsequence of `longer`?
bool is_subsequence(const std::vector<size_t>& shorter, const std::vector<size_t>& longer) {
  size_t j = 0;
  for (size_t i = 0; i < longer.size() && j < shorter.size(); ++i) {
    if (longer[i] == shorter[j]) ++j;
  }
  return j == shorter.size();
}

// §5.4 step 3: the template slot of each motif of `order` (an ordered subsequence of `slots`),
// choosing among the possible embeddings the one closest to the template's mean positions.
std::vector<size_t> align_to_template(const std::vector<size_t>& order,
                                      const std::vector<int64_t>& positions,
                                      const std::vector<size_t>& slots,
                                      const std::vector<double>& mean) {
  const size_t n = order.size(), m = slots.size();
  const double infinity = std::numeric_limits<double>::infinity();
  // cost[i][j]: the first i motifs placed among the first j slots.
  std::vector<std::vector<double>> cost(n + 1, std::vector<double>(m + 1, infinity));
  for (size_t j = 0; j <= m; ++j) cost[0][j] = 0;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = i; j <= m; ++j) {
      cost[i][j] = cost[i][j - 1];  // slot j - 1 absent
      if (slots[j - 1] == order[i - 1] && std::isfinite(cost[i - 1][j - 1])) {
        const double d = double(positions[i - 1]) - mean[j - 1];
        cost[i][j] = std::min(cost[i][j], cost[i - 1][j - 1] + d * d);
      }
    }
  }
  std::vector<size_t> out(n);
  for (size_t i = n, j = m; i > 0; --j) {
    if (cost[i][j] == cost[i][j - 1]) continue;  // slot j - 1 left absent
    out[i - 1] = j - 1;
    --i;
  }
  return out;
}

struct Template {
  std::vector<size_t> slots;                               // dictionary indices
  std::vector<std::vector<std::optional<int64_t>>> lists;  // per leaf: position per slot
  int64_t exact = 0;
};

GrammarPattern pattern_of(const Template& t, const std::vector<DictionaryMotif>& dictionary) {
  GrammarPattern p;
  p.leaves = t.exact;
  p.partial_leaves = static_cast<int64_t>(t.lists.size()) - t.exact;
  p.motif_indices = t.slots;
  for (const auto m : t.slots) p.motifs.push_back(dictionary[m].label);
  std::vector<double> width, mean;
  for (size_t j = 0; j + 1 < t.slots.size(); ++j) {
    std::vector<int64_t> distance;  // over the leaves with both slots present
    for (const auto& list : t.lists) {
      if (list[j] && list[j + 1]) distance.push_back(*list[j + 1] - *list[j]);
    }
    const double average =
        std::accumulate(distance.begin(), distance.end(), 0.0) / double(distance.size());
    std::vector<int64_t> close;
    for (const auto d : distance) {
      if (std::abs(double(d) - average) <= 4) close.push_back(d);
    }
    if (double(close.size()) > 0.8 * double(distance.size())) distance = close;
    const auto [lo, hi] = std::minmax_element(distance.begin(), distance.end());
    const auto length = static_cast<int64_t>(dictionary[t.slots[j]].motif.length());
    p.gaps.push_back(range_text(*lo - length, *hi - length));
    width.push_back(double(*hi - *lo));
    mean.push_back(average);
  }
  // Syntax tree: merge the adjacent pair with the narrowest distance range first (ties: the
  // smaller mean distance).
  std::vector<GrammarNode> nodes;
  for (size_t j = 0; j < t.slots.size(); ++j) nodes.push_back({p.motifs[j], j, j, 0});
  p.nodes = nodes;
  std::vector<std::string> gaps = p.gaps;
  while (nodes.size() > 1) {
    size_t k = 0;
    for (size_t j = 1; j < width.size(); ++j) {
      if (width[j] < width[k] || (width[j] == width[k] && mean[j] < mean[k])) k = j;
    }
    nodes[k] = {"(" + nodes[k].text + " -[" + gaps[k] + "]- " + nodes[k + 1].text + ")",
                nodes[k].first, nodes[k + 1].last, 0};
    p.nodes.push_back(nodes[k]);
    nodes.erase(nodes.begin() + int64_t(k) + 1);
    gaps.erase(gaps.begin() + int64_t(k));
    width.erase(width.begin() + int64_t(k));
    mean.erase(mean.begin() + int64_t(k));
  }
  p.tree = nodes[0].text;
  return p;
}

}  // namespace

NeuronGrammar neuron_grammar(const NeuronResult& neuron, const motif::TomtomDatabase* database,
                             const GrammarOptions& o) {
  NeuronGrammar out;
  out.neuron = neuron.neuron;
  const auto segments = neuron_segments(neuron, o.segments);
  if (segments.motifs.empty()) return out;
  auto chosen = greedy_dictionary(neuron, segments, o);
  if (chosen.entries.empty()) {
    // Nothing shared by two segments: every group of the segments is an entry of its own.
    std::vector<size_t> all(segments.motifs.size());
    std::iota(all.begin(), all.end(), 0);
    chosen.entries = dictionary_of(all, segments.motifs, /*prune=*/false, o);
    chosen.leftover.assign(chosen.entries.size(), false);
  }
  // One comparison of every segment with the dictionary gives both each entry's support (the
  // segments whose best match at the explaining q it is) and the placements of §5.4 step 1.
  const auto entries = pick(segments.motifs, chosen.entries);
  const motif::TomtomDatabase dictionary(entries, forward_options(o));
  std::vector<std::optional<motif::TomtomMatch>> support(segments.motifs.size());
  std::vector<std::optional<motif::TomtomMatch>> best(segments.motifs.size());
  for (const auto& m : motif::compare_motifs(segments.motifs, dictionary)) {
    if (m.q_value < o.explain_q && (!support[m.query] || support[m.query]->p_value > m.p_value)) {
      support[m.query] = m;
    }
    // A placement covers at least half of the dictionary motif.
    if (m.q_value > o.place_q || 2 * m.overlap < int(entries[m.target].length())) continue;
    if (!best[m.query] || best[m.query]->p_value > m.p_value) best[m.query] = m;
  }
  std::vector<std::optional<DatabaseHit>> segment_hits(segments.motifs.size());
  if (database != nullptr) segment_hits = best_hits(segments.motifs, *database, o.label_q);
  for (size_t e = 0; e < chosen.entries.size(); ++e) {
    DictionaryMotif d;
    d.motif = segments.motifs[chosen.entries[e]];
    d.leftover = chosen.leftover[e];
    std::vector<size_t> leaves;
    // Named after the best database match of a segment it explains (a typical member may be a
    // few columns short of a significant match).
    auto consider = [&](size_t i) {
      if (segment_hits[i] && (!d.hit || segment_hits[i]->p_value < d.hit->p_value)) {
        d.hit = segment_hits[i];
      }
    };
    consider(chosen.entries[e]);
    for (size_t i = 0; i < support.size(); ++i) {
      if (!support[i] || support[i]->target != e) continue;
      ++d.segments;
      leaves.push_back(segments.leaf_of[i]);
      consider(i);
    }
    std::sort(leaves.begin(), leaves.end());
    d.leaves = std::unique(leaves.begin(), leaves.end()) - leaves.begin();
    out.dictionary.push_back(std::move(d));
  }
  // Most supported first; placements follow the entries to their new places.
  std::vector<size_t> order(out.dictionary.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return out.dictionary[a].leaves > out.dictionary[b].leaves;
  });
  std::vector<DictionaryMotif> sorted;
  std::vector<size_t> rank(order.size());
  for (size_t r = 0; r < order.size(); ++r) {
    sorted.push_back(std::move(out.dictionary[order[r]]));
    rank[order[r]] = r;
  }
  out.dictionary = std::move(sorted);
  for (auto& m : best) {
    if (m) m->target = rank[m->target];
  }
  std::map<std::string, int> used;
  for (size_t i = 0; i < out.dictionary.size(); ++i) {
    auto& d = out.dictionary[i];
    std::string label = d.hit ? (d.hit->target_name.empty() ? d.hit->target_id : d.hit->target_name)
                              : "m" + std::to_string(i + 1);
    if (used[label]++ > 0) label += "#" + std::to_string(used[label]);
    d.label = label;
  }
  // §5.4 step 1: place dictionary motifs in each leaf at segment start - offset.
  // Instances of a motif in one leaf that overlap by more than half its length are one instance
  // (a segment split at a weak column, or matched twice): keep the better match.
  std::vector<std::vector<std::pair<int64_t, size_t>>> segment_order(neuron.leaves.size());
  for (size_t i = 0; i < segments.motifs.size(); ++i) {
    if (best[i])
      segment_order[segments.leaf_of[i]].push_back({segments.where[i].start - best[i]->offset, i});
  }
  std::vector<std::vector<std::pair<int64_t, size_t>>> placed(neuron.leaves.size());
  for (size_t l = 0; l < segment_order.size(); ++l) {
    auto& list = segment_order[l];
    std::sort(list.begin(), list.end());
    std::vector<std::pair<int64_t, size_t>> kept_here;
    for (const auto& entry : list) {
      const int64_t position = entry.first;  // (a plain variable: lambdas capture it in C++17)
      const size_t i = entry.second;
      const size_t motif_index = best[i]->target;
      const auto half = static_cast<int64_t>(out.dictionary[motif_index].motif.length()) / 2;
      auto clash = std::find_if(kept_here.begin(), kept_here.end(), [&](const auto& other) {
        return best[other.second]->target == motif_index &&
               std::abs(other.first - position) <= half;
      });
      if (clash == kept_here.end()) {
        kept_here.push_back({position, i});
      } else if (best[i]->p_value < best[clash->second]->p_value) {
        *clash = {position, i};
      }
    }
    for (const auto& [position, i] : kept_here) placed[l].push_back({position, best[i]->target});
    std::sort(placed[l].begin(), placed[l].end());
  }
  // §5.4 steps 2-3: the leaves' ordered motif lists, longest first, are templates; a shorter list
  // joins the best-supported template it is an ordered subsequence of, aligned to it with absent
  // slots.
  std::map<std::vector<size_t>, std::vector<std::vector<int64_t>>> by_order;
  for (const auto& list : placed) {
    if (list.empty()) continue;
    std::vector<size_t> order;
    std::vector<int64_t> positions;
    for (const auto& [position, motif] : list) {
      order.push_back(motif);
      positions.push_back(position);
    }
    by_order[order].push_back(positions);
  }
  std::vector<std::pair<std::vector<size_t>, std::vector<std::vector<int64_t>>>> orders(
      by_order.begin(), by_order.end());
  std::stable_sort(orders.begin(), orders.end(), [](const auto& a, const auto& b) {
    if (a.first.size() != b.first.size()) return a.first.size() > b.first.size();
    return a.second.size() > b.second.size();
  });
  std::vector<Template> templates;
  std::vector<std::vector<double>> template_mean;
  for (const auto& [order, lists] : orders) {
    std::optional<size_t> home;
    for (size_t t = 0; t < templates.size(); ++t) {
      if (templates[t].slots.size() > order.size() && is_subsequence(order, templates[t].slots) &&
          (!home || templates[t].exact > templates[*home].exact)) {
        home = t;
      }
    }
    if (!home) {
      Template t;
      t.slots = order;
      t.exact = static_cast<int64_t>(lists.size());
      std::vector<double> mean(order.size(), 0.0);
      for (const auto& positions : lists) {
        t.lists.emplace_back(positions.begin(), positions.end());
        for (size_t j = 0; j < positions.size(); ++j) mean[j] += double(positions[j]);
      }
      for (auto& v : mean) v /= double(lists.size());
      templates.push_back(std::move(t));
      template_mean.push_back(std::move(mean));
      continue;
    }
    auto& t = templates[*home];
    for (const auto& positions : lists) {
      const auto slot = align_to_template(order, positions, t.slots, template_mean[*home]);
      std::vector<std::optional<int64_t>> aligned(t.slots.size());
      for (size_t i = 0; i < slot.size(); ++i) aligned[slot[i]] = positions[i];
      t.lists.push_back(std::move(aligned));
    }
  }
  for (const auto& t : templates) out.patterns.push_back(pattern_of(t, out.dictionary));
  // Templates of several motifs first (the grammar), each group by support.
  std::stable_sort(out.patterns.begin(), out.patterns.end(), [](const auto& a, const auto& b) {
    const bool a_multi = a.motifs.size() > 1, b_multi = b.motifs.size() > 1;
    if (a_multi != b_multi) return a_multi;
    if (a.leaves + a.partial_leaves != b.leaves + b.partial_leaves) {
      return a.leaves + a.partial_leaves > b.leaves + b.partial_leaves;
    }
    return a.motifs.size() > b.motifs.size();
  });
  return out;
}

LayerSegments layer_segments(const LayerResult& layer, const SegmentOptions& o) {
  LayerSegments out;
  out.layer = layer.layer;
  std::vector<motif::Motif> motifs;
  size_t leaf_number = 0;
  for (const auto& neuron : layer.neurons) {
    for (size_t l = 0; l < neuron.leaves.size(); ++l, ++leaf_number) {
      const auto& leaf = neuron.leaves[l];
      for (const auto& s : dictionary_segments(leaf.ppm, double(leaf.n), o)) {
        motifs.push_back(
            segment_motif(leaf_id(neuron.neuron, l, leaf), leaf.ppm, s, double(leaf.n)));
        out.leaf_index.push_back(leaf_number);
      }
    }
  }
  motif::TomtomOptions both;
  both.threshold = 1.0;
  both.min_overlap = static_cast<int>(o.dictionary_min_length);
  out.database = std::make_shared<const motif::TomtomDatabase>(motifs, both);
  return out;
}

namespace {

// Can each of `wanted` (dictionary indices, with repeats) take a different segment of one leaf?
// `holds[m]` lists the segments holding motif m. Kuhn's augmenting paths (a handful of motifs).
bool one_to_one(const std::vector<size_t>& wanted,
                const std::map<size_t, std::vector<size_t>>& holds) {
  std::map<size_t, size_t> owner;  // segment -> position in `wanted`
  std::function<bool(size_t, std::set<size_t>&)> assign = [&](size_t k, std::set<size_t>& seen) {
    const auto found = holds.find(wanted[k]);
    if (found == holds.end()) return false;
    for (const auto segment : found->second) {
      if (!seen.insert(segment).second) continue;
      const auto current = owner.find(segment);
      if (current == owner.end() || assign(current->second, seen)) {
        owner[segment] = k;
        return true;
      }
    }
    return false;
  };
  for (size_t k = 0; k < wanted.size(); ++k) {
    std::set<size_t> seen;
    if (!assign(k, seen)) return false;
  }
  return true;
}

}  // namespace

void annotate_earliest_layers(NeuronGrammar& grammar, int64_t layer,
                              const std::vector<LayerSegments>& lower, const GrammarOptions& o) {
  std::vector<motif::Motif> dictionary;
  for (const auto& d : grammar.dictionary) dictionary.push_back(d.motif);
  // Per lower layer: leaf -> (dictionary motif -> its segments holding it).
  std::vector<std::map<size_t, std::map<size_t, std::vector<size_t>>>> holders;
  for (const auto& below : lower) {
    auto& per_leaf = holders.emplace_back();
    if (dictionary.empty() || below.database->size() == 0) continue;
    for (const auto& m : motif::compare_motifs(dictionary, *below.database)) {
      if (m.q_value >= o.earliest_q) continue;
      per_leaf[below.leaf_index[m.target]][m.query].push_back(m.target);
    }
  }
  for (auto& pattern : grammar.patterns) {
    for (auto& node : pattern.nodes) {
      node.earliest_layer = layer + 1;
      const std::vector<size_t> wanted(pattern.motif_indices.begin() + int64_t(node.first),
                                       pattern.motif_indices.begin() + int64_t(node.last) + 1);
      for (size_t k = 0; k < lower.size(); ++k) {
        const bool found = std::any_of(holders[k].begin(), holders[k].end(), [&](const auto& leaf) {
          return one_to_one(wanted, leaf.second);
        });
        if (found && lower[k].layer < layer) {
          node.earliest_layer = lower[k].layer + 1;
          break;
        }
      }
    }
  }
}

}  // namespace helix::interpret
