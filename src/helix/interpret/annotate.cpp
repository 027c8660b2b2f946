#include "helix/interpret/annotate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

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

NeuronGrammar neuron_grammar(const NeuronResult& neuron, const motif::TomtomDatabase* database,
                             const GrammarOptions& o) {
  NeuronGrammar out;
  out.neuron = neuron.neuron;
  // Dictionary segments of every leaf.
  std::vector<motif::Motif> segments;
  std::vector<size_t> leaf_of;
  std::vector<Segment> where;
  for (size_t l = 0; l < neuron.leaves.size(); ++l) {
    const auto& leaf = neuron.leaves[l];
    for (const auto& s : dictionary_segments(leaf.ppm, double(leaf.n), o.segments)) {
      segments.push_back(
          segment_motif(leaf_id(neuron.neuron, l, leaf), leaf.ppm, s, double(leaf.n)));
      leaf_of.push_back(l);
      where.push_back(s);
    }
  }
  if (segments.empty()) return out;
  motif::TomtomOptions forward;
  forward.both_strands = false;
  forward.threshold = 1.0;
  forward.threads = 1;
  forward.min_overlap = static_cast<int>(o.segments.dictionary_min_length);
  // Group segments linked by matches at q < link_q.
  UnionFind groups(segments.size());
  std::vector<int64_t> links(segments.size(), 0);
  const motif::TomtomDatabase among(segments, forward);
  for (const auto& m : motif::compare_motifs(segments, among)) {
    if (m.q_value >= o.link_q) continue;
    groups.join(m.query, m.target);
    ++links[m.query];
  }
  std::map<size_t, std::vector<size_t>> members;
  for (size_t i = 0; i < segments.size(); ++i) members[groups.find(i)].push_back(i);
  // A group seen in one segment only is noise when there are several leaves to compare.
  const bool prune = neuron.leaves.size() >= 3;
  std::vector<std::vector<size_t>> kept;
  for (auto& [root, list] : members) {
    if (!prune || list.size() >= 2) kept.push_back(list);
  }
  if (kept.empty()) {
    for (auto& [root, list] : members) kept.push_back(list);
  }
  // Names from the database: a group is named after the best match of any of its members (the
  // typical member may be a few columns short of a significant match).
  std::vector<std::optional<DatabaseHit>> segment_hits(segments.size());
  if (database != nullptr) segment_hits = best_hits(segments, *database, o.label_q);
  std::vector<motif::Motif> representatives;
  for (const auto& list : kept) {
    // A typical member: of median length, then matching most of the others. (The original takes
    // the longest, which can be two adjacent motifs fused into one segment.)
    std::vector<size_t> lengths;
    for (const auto i : list) lengths.push_back(segments[i].length());
    std::nth_element(lengths.begin(), lengths.begin() + int64_t(lengths.size() / 2), lengths.end());
    const auto median = static_cast<int64_t>(lengths[lengths.size() / 2]);
    auto distance = [&](size_t i) {
      return std::abs(static_cast<int64_t>(segments[i].length()) - median);
    };
    size_t best = list[0];
    for (const auto i : list) {
      if (distance(i) < distance(best) ||
          (distance(i) == distance(best) && links[i] > links[best])) {
        best = i;
      }
    }
    DictionaryMotif d;
    d.motif = segments[best];
    for (const auto i : list) {
      if (segment_hits[i] && (!d.hit || segment_hits[i]->p_value < d.hit->p_value)) {
        d.hit = segment_hits[i];
      }
    }
    d.segments = static_cast<int64_t>(list.size());
    std::vector<size_t> leaves;
    for (const auto i : list) leaves.push_back(leaf_of[i]);
    std::sort(leaves.begin(), leaves.end());
    d.leaves = std::unique(leaves.begin(), leaves.end()) - leaves.begin();
    out.dictionary.push_back(std::move(d));
  }
  std::sort(out.dictionary.begin(), out.dictionary.end(),
            [](const auto& a, const auto& b) { return a.leaves > b.leaves; });
  for (auto& d : out.dictionary) representatives.push_back(d.motif);
  std::map<std::string, int> used;
  for (size_t i = 0; i < out.dictionary.size(); ++i) {
    auto& d = out.dictionary[i];
    std::string label = d.hit ? (d.hit->target_name.empty() ? d.hit->target_id : d.hit->target_name)
                              : "m" + std::to_string(i + 1);
    if (used[label]++ > 0) label += "#" + std::to_string(used[label]);
    d.label = label;
  }
  // Place dictionary motifs in each leaf: position = segment start - offset.
  const motif::TomtomDatabase dictionary(representatives, forward);
  std::vector<std::vector<std::pair<int64_t, size_t>>> placed(neuron.leaves.size());
  std::vector<std::optional<motif::TomtomMatch>> best(segments.size());
  for (const auto& m : motif::compare_motifs(segments, dictionary)) {
    // A placement covers at least half of the dictionary motif (§5.4).
    if (m.q_value > o.place_q || 2 * m.overlap < int(representatives[m.target].length())) continue;
    if (!best[m.query] || best[m.query]->p_value > m.p_value) best[m.query] = m;
  }
  // Instances of a motif in one leaf that overlap by more than half its length are one instance
  // (a segment split at a weak column, or matched twice): keep the better match.
  std::vector<std::vector<std::pair<int64_t, size_t>>> segment_order(neuron.leaves.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    if (best[i]) segment_order[leaf_of[i]].push_back({where[i].start - best[i]->offset, i});
  }
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
  }
  // Patterns: leaves grouped by their ordered motif labels.
  std::map<std::vector<size_t>, std::vector<std::vector<int64_t>>> by_order;
  for (auto& list : placed) {
    if (list.empty()) continue;
    std::sort(list.begin(), list.end());
    std::vector<size_t> order;
    std::vector<int64_t> positions;
    for (const auto& [position, motif] : list) {
      order.push_back(motif);
      positions.push_back(position);
    }
    by_order[order].push_back(positions);
  }
  for (const auto& [order, leaves] : by_order) {
    GrammarPattern p;
    p.leaves = static_cast<int64_t>(leaves.size());
    for (const auto m : order) p.motifs.push_back(out.dictionary[m].label);
    std::vector<std::string> nodes = p.motifs;
    std::vector<double> width, mean;
    for (size_t j = 0; j + 1 < order.size(); ++j) {
      std::vector<int64_t> distance;
      for (const auto& positions : leaves) distance.push_back(positions[j + 1] - positions[j]);
      const double average =
          std::accumulate(distance.begin(), distance.end(), 0.0) / double(distance.size());
      std::vector<int64_t> close;
      for (const auto d : distance) {
        if (std::abs(double(d) - average) <= 4) close.push_back(d);
      }
      if (double(close.size()) > 0.8 * double(distance.size())) distance = close;
      const auto [lo, hi] = std::minmax_element(distance.begin(), distance.end());
      const auto length = static_cast<int64_t>(out.dictionary[order[j]].motif.length());
      p.gaps.push_back(range_text(*lo - length, *hi - length));
      width.push_back(double(*hi - *lo));
      mean.push_back(average);
    }
    // Syntax tree: merge the adjacent pair with the narrowest distance range first.
    std::vector<std::string> gaps = p.gaps;
    while (nodes.size() > 1) {
      size_t k = 0;
      for (size_t j = 1; j < width.size(); ++j) {
        if (width[j] < width[k] || (width[j] == width[k] && mean[j] < mean[k])) k = j;
      }
      nodes[k] = "(" + nodes[k] + " -[" + gaps[k] + "]- " + nodes[k + 1] + ")";
      nodes.erase(nodes.begin() + int64_t(k) + 1);
      gaps.erase(gaps.begin() + int64_t(k));
      width.erase(width.begin() + int64_t(k));
      mean.erase(mean.begin() + int64_t(k));
    }
    p.tree = nodes[0];
    out.patterns.push_back(std::move(p));
  }
  // Arrangements of several motifs first (the grammar), each group by support.
  std::sort(out.patterns.begin(), out.patterns.end(), [](const auto& a, const auto& b) {
    const bool a_multi = a.motifs.size() > 1, b_multi = b.motifs.size() > 1;
    if (a_multi != b_multi) return a_multi;
    if (a.leaves != b.leaves) return a.leaves > b.leaves;
    return a.motifs.size() > b.motifs.size();
  });
  return out;
}

}  // namespace helix::interpret
