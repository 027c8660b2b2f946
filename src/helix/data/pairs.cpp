#include "helix/data/pairs.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "helix/io/fasta.hpp"
#include "helix/util/error.hpp"

namespace helix::data {

const char* pair_type_name(PairType type) {
  switch (type) {
    case PairType::kSelf:
      return "self";
    case PairType::kSplice:
      return "splice";
    case PairType::kOrtho:
      return "ortho";
  }
  return "?";
}

void PairCorpus::add_transcripts(std::vector<RnaRecord> transcripts,
                                 const std::unordered_map<std::string, std::string>& homology) {
  const auto first = static_cast<int64_t>(records.size());
  std::unordered_map<std::string, std::vector<int64_t>> by_gene, by_homology_group;
  for (auto& t : transcripts) {
    const auto index = static_cast<int64_t>(records.size());
    by_gene[t.group].push_back(index);
    auto h = homology.find(t.group);
    if (h != homology.end()) by_homology_group[h->second].push_back(index);
    records.push_back(std::move(t));
  }
  for (auto index = first; index < static_cast<int64_t>(records.size()); ++index) {
    const auto& r = records[index];
    anchors.push_back(index);
    isoforms.emplace_back();
    orthologs.emplace_back();
    if (!r.group.empty()) {
      for (auto other : by_gene[r.group]) {
        if (other != index) isoforms.back().push_back(other);
      }
    }
    auto h = homology.find(r.group);
    if (h != homology.end()) {
      for (auto other : by_homology_group[h->second]) {
        if (records[other].group != r.group) orthologs.back().push_back(other);
      }
    }
  }
}

void PairCorpus::add_ortholog_group(RnaRecord anchor, std::vector<RnaRecord> partners) {
  const auto index = static_cast<int64_t>(records.size());
  records.push_back(std::move(anchor));
  anchors.push_back(index);
  isoforms.emplace_back();
  orthologs.emplace_back();
  for (auto& p : partners) {
    orthologs.back().push_back(static_cast<int64_t>(records.size()));
    records.push_back(std::move(p));
  }
}

std::string PairCorpus::summary() const {
  int64_t with_isoforms = 0, with_orthologs = 0, alone = 0;
  for (size_t a = 0; a < anchors.size(); ++a) {
    with_isoforms += !isoforms[a].empty();
    with_orthologs += !orthologs[a].empty();
    alone += isoforms[a].empty() && orthologs[a].empty();
  }
  std::ostringstream s;
  s << anchors.size() << " anchors (" << with_isoforms << " with isoforms, " << with_orthologs
    << " with orthologs, " << alone << " paired with themselves), " << records.size()
    << " sequences";
  return s.str();
}

std::unordered_map<std::string, std::string> read_homology_table(const std::string& path) {
  io::require_readable_file(path);
  std::ifstream in(path);
  std::unordered_map<std::string, std::string> table;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const char delimiter = line.find('\t') != std::string::npos ? '\t' : ',';
    std::vector<std::string> fields;
    std::stringstream fields_in(line);
    for (std::string f; std::getline(fields_in, f, delimiter);) fields.push_back(f);
    if (fields.size() != 2 || fields[0].empty() || fields[1].empty()) {
      throw InputError(path, number,
                       "expected two fields (gene id, homology group), found " +
                           std::to_string(fields.size()) +
                           (fields.size() == 2 ? " (one empty)" : ""));
    }
    auto [it, inserted] = table.emplace(fields[0], fields[1]);
    if (!inserted && it->second != fields[1]) {
      throw InputError(path, number,
                       "gene '" + fields[0] + "' is listed in two groups ('" + it->second +
                           "' and '" + fields[1] + "')");
    }
  }
  if (table.empty()) throw InputError(path, 0, "no gene -> homology group rows");
  return table;
}

PairDraw draw_pair(const PairCorpus& corpus, int64_t a, double p_ortho, std::mt19937_64& rng) {
  PairDraw d;
  d.anchor = corpus.anchors[a];
  d.partner = d.anchor;
  const auto& iso = corpus.isoforms[a];
  const auto& ortho = corpus.orthologs[a];
  const auto pick = [&rng](const std::vector<int64_t>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  if (iso.empty() && ortho.empty()) return d;
  bool take_ortho = false;
  if (iso.empty() || ortho.empty()) {
    take_ortho = iso.empty();
  } else if (p_ortho < 0) {
    // Uniform over the union.
    const auto k = std::uniform_int_distribution<size_t>(0, iso.size() + ortho.size() - 1)(rng);
    take_ortho = k >= iso.size();
  } else {
    take_ortho = std::uniform_real_distribution<double>(0, 1)(rng) < p_ortho;
  }
  d.partner = take_ortho ? pick(ortho) : pick(iso);
  d.type = take_ortho ? PairType::kOrtho : PairType::kSplice;
  return d;
}

double AnchorBuckets::long_batch_probability(int64_t batch_short, int64_t batch_long) const {
  const double n_long = static_cast<double>(long_train.size());
  const double n_short = static_cast<double>(short_train.size());
  if (n_long == 0) return 0.0;
  if (n_short == 0) return 1.0;
  return n_long * batch_short / (n_long * batch_short + n_short * batch_long);
}

AnchorBuckets bucket_anchors(const PairCorpus& corpus, int64_t long_threshold,
                             double holdout_fraction, uint64_t seed) {
  // The hold-out takes whole groups (a gene's isoforms, a block's species), so that no held-out
  // anchor has a training anchor as its partner.
  const auto key = [&](int64_t a) {
    const auto& r = corpus.records[corpus.anchors[a]];
    return r.group.empty() ? "#" + r.id : r.group;
  };
  std::vector<std::string> short_groups;
  std::unordered_set<std::string> seen;
  int64_t n_short = 0;
  for (int64_t a = 0; a < corpus.num_anchors(); ++a) {
    if (static_cast<int64_t>(corpus.records[corpus.anchors[a]].sequence.size()) >= long_threshold)
      continue;
    ++n_short;
    if (seen.insert(key(a)).second) short_groups.push_back(key(a));
  }
  std::mt19937_64 rng(seed);
  std::shuffle(short_groups.begin(), short_groups.end(), rng);
  const auto target = static_cast<int64_t>(std::ceil(holdout_fraction * n_short));
  std::unordered_map<std::string, int64_t> group_size;
  for (int64_t a = 0; a < corpus.num_anchors(); ++a) ++group_size[key(a)];
  std::unordered_set<std::string> held_out;
  int64_t taken = 0;
  for (const auto& g : short_groups) {
    if (taken >= target) break;
    held_out.insert(g);
    taken += group_size[g];
  }
  AnchorBuckets b;
  for (int64_t a = 0; a < corpus.num_anchors(); ++a) {
    const bool is_long =
        static_cast<int64_t>(corpus.records[corpus.anchors[a]].sequence.size()) >= long_threshold;
    if (held_out.count(key(a))) {
      if (!is_long) b.validation.push_back(a);
    } else {
      (is_long ? b.long_train : b.short_train).push_back(a);
    }
  }
  return b;
}

}  // namespace helix::data
