#include "helix/data/transcripts.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "helix/io/fasta.hpp"
#include "helix/io/genome.hpp"
#include "helix/io/gtf.hpp"
#include "helix/seq/reverse_complement.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

struct Interval {
  int64_t start = 0, end = 0;  // genomic, 0-based half-open
  int64_t line = 0;
};

// A transcript's features as the annotation lists them, before any checks of its structure.
struct Draft {
  std::string id, gene_id, gene_name, chrom;
  char strand = '+';
  int64_t first_line = 0;
  std::vector<Interval> exons, cds, stops;
};

// 1-based closed, as the file writes it, so that a user can find the line's numbers.
std::string file_range(const Interval& iv) {
  return std::to_string(iv.start + 1) + "-" + std::to_string(iv.end);
}

std::vector<Draft> group_features(const std::string& path,
                                  const std::vector<io::AnnotationFeature>& features) {
  std::vector<Draft> drafts;
  std::unordered_map<std::string, size_t> index;
  for (const io::AnnotationFeature& f : features) {
    auto [it, inserted] = index.emplace(f.transcript_id, drafts.size());
    if (inserted) {
      Draft d;
      d.id = f.transcript_id;
      d.chrom = f.chrom;
      d.strand = f.strand;
      d.first_line = f.line;
      drafts.push_back(std::move(d));
    }
    Draft& d = drafts[it->second];
    if (f.chrom != d.chrom || f.strand != d.strand) {
      throw InputError(path, f.line,
                       "feature of transcript " + d.id + " is on " + f.chrom + " strand " +
                           f.strand + ", but the transcript's first feature (line " +
                           std::to_string(d.first_line) + ") is on " + d.chrom + " strand " +
                           d.strand + ": a transcript lies on one chromosome and strand");
    }
    if (d.gene_id.empty()) d.gene_id = f.gene_id;
    if (d.gene_name.empty()) d.gene_name = f.gene_name;
    const Interval iv{f.start, f.end, f.line};
    switch (f.type) {
      case io::FeatureType::kExon:
        d.exons.push_back(iv);
        break;
      case io::FeatureType::kCds:
        d.cds.push_back(iv);
        break;
      case io::FeatureType::kStopCodon:
        d.stops.push_back(iv);
        break;
    }
  }
  if (drafts.empty()) {
    throw InputError(path, 0, "no exon, CDS or stop_codon features: not a transcript annotation");
  }
  return drafts;
}

// Maps genomic positions of a transcript's (sorted) exons to transcript coordinates.
class ExonMap {
 public:
  ExonMap(const std::vector<Interval>& exons, char strand) : exons_(exons), strand_(strand) {
    offsets_.resize(exons.size());
    int64_t total = 0;
    if (strand == '+') {
      for (size_t k = 0; k < exons.size(); ++k) {
        offsets_[k] = total;
        total += exons[k].end - exons[k].start;
      }
    } else {
      for (size_t k = exons.size(); k-- > 0;) {
        offsets_[k] = total;
        total += exons[k].end - exons[k].start;
      }
    }
    length_ = total;
  }
  int64_t length() const { return length_; }
  // Transcript interval [begin, end) of genomic [start, end), or false when it does not lie
  // inside a single exon.
  bool to_transcript(const Interval& iv, int64_t& begin, int64_t& end) const {
    for (size_t k = 0; k < exons_.size(); ++k) {
      const Interval& e = exons_[k];
      if (iv.start < e.start || iv.end > e.end) continue;
      begin = strand_ == '+' ? offsets_[k] + (iv.start - e.start) : offsets_[k] + (e.end - iv.end);
      end = begin + (iv.end - iv.start);
      return true;
    }
    return false;
  }

 private:
  const std::vector<Interval>& exons_;
  char strand_;
  std::vector<int64_t> offsets_;
  int64_t length_ = 0;
};

// Sorts and checks the exons, and derives the exon lengths and the CDS in transcript order.
// Returns false (nothing filled) for a transcript without exon features.
bool build_structure(const std::string& path, Draft& d, const TranscriptOptions& options,
                     Transcript& t) {
  if (d.exons.empty()) return false;
  std::sort(d.exons.begin(), d.exons.end(), [](const Interval& a, const Interval& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  for (size_t k = 1; k < d.exons.size(); ++k) {
    const Interval& a = d.exons[k - 1];
    const Interval& b = d.exons[k];
    if (b.start < a.end) {
      // Point at whichever of the two the file lists later: the earlier one looked fine when read.
      const Interval& later = a.line > b.line ? a : b;
      const Interval& other = a.line > b.line ? b : a;
      throw InputError(path, later.line,
                       "exon " + file_range(later) + " of transcript " + d.id +
                           " overlaps its exon " + file_range(other) + " (line " +
                           std::to_string(other.line) + ")");
    }
  }

  t.id = d.id;
  t.gene_id = d.gene_id;
  t.gene_name = d.gene_name;
  t.chrom = d.chrom;
  t.strand = d.strand;
  t.source_line = d.first_line;
  t.exons.clear();
  t.exon_lengths.clear();
  for (const Interval& e : d.exons) {
    t.exons.emplace_back(e.start, e.end);
    t.exon_lengths.push_back(e.end - e.start);
  }
  if (t.strand == '-') std::reverse(t.exon_lengths.begin(), t.exon_lengths.end());

  const ExonMap map(d.exons, d.strand);
  auto place = [&](const Interval& iv, const char* what, int64_t& begin, int64_t& end) {
    if (!map.to_transcript(iv, begin, end)) {
      throw InputError(path, iv.line,
                       std::string(what) + " " + file_range(iv) + " of transcript " + d.id +
                           " is not inside one of its exons");
    }
  };
  t.cds_begin = t.cds_end = -1;
  for (const Interval& iv : d.cds) {
    int64_t b = 0, e = 0;
    place(iv, "CDS", b, e);
    t.cds_begin = t.cds_begin < 0 ? b : std::min(t.cds_begin, b);
    t.cds_end = std::max(t.cds_end, e);
  }
  int64_t stop_end = -1;
  for (const Interval& iv : d.stops) {
    int64_t b = 0, e = 0;
    place(iv, "stop_codon", b, e);
    stop_end = std::max(stop_end, e);
  }
  if (options.include_stop && t.cds_begin >= 0) {
    t.cds_end =
        stop_end >= 0 ? std::max(t.cds_end, stop_end) : std::min(t.cds_end + 3, map.length());
  }
  return true;
}

int64_t structure_length(const Transcript& t) {
  int64_t total = 0;
  for (int64_t n : t.exon_lengths) total += n;
  return total;
}

// Length filters; true when the transcript is kept.
bool passes_length(const Transcript& t, int64_t length, const TranscriptOptions& options,
                   TranscriptSkips& skipped) {
  if (length >= options.max_length) {
    skipped.too_long.add(t.id);
    return false;
  }
  if (length < options.min_length) {
    skipped.too_short.add(t.id);
    return false;
  }
  return true;
}

void normalise_bases(std::string& s) {
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'U') c = 'T';
  }
}

void check_options(const TranscriptOptions& options) {
  if (options.max_length < 1) {
    throw UsageError("max_length must be at least 1, got " + std::to_string(options.max_length));
  }
  if (options.min_length < 0) {
    throw UsageError("min_length must not be negative, got " + std::to_string(options.min_length));
  }
}

// Record names tried against the annotation's ids, in order: the name itself, its part before
// the first '|' (GENCODE "ENST...|ENSG...|..."), and that without a ".N" version suffix.
std::vector<std::string> candidate_ids(const std::string& name) {
  std::vector<std::string> ids{name};
  std::string base = name.substr(0, name.find('|'));
  if (base != name && !base.empty()) ids.push_back(base);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0 && dot + 1 < base.size() &&
      std::all_of(base.begin() + static_cast<std::ptrdiff_t>(dot) + 1, base.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    ids.push_back(base.substr(0, dot));
  }
  return ids;
}

}  // namespace

void TranscriptSkips::Reason::add(const std::string& id) {
  if (count++ == 0) example = id;
}

std::vector<std::pair<std::string, int64_t>> TranscriptSkips::counts() const {
  return {{"too_long", too_long.count},       {"too_short", too_short.count},
          {"no_exons", no_exons.count},       {"unknown_chrom", unknown_chrom.count},
          {"no_sequence", no_sequence.count}, {"not_in_gtf", not_in_gtf.count}};
}

int64_t TranscriptSkips::total() const {
  int64_t n = 0;
  for (const auto& [name, count] : counts()) n += count;
  return n;
}

std::string TranscriptSkips::summary() const {
  const std::pair<const char*, const Reason*> reasons[] = {
      {"too_long", &too_long},       {"too_short", &too_short},
      {"no_exons", &no_exons},       {"unknown_chrom", &unknown_chrom},
      {"no_sequence", &no_sequence}, {"not_in_gtf", &not_in_gtf}};
  std::string out;
  for (const auto& [name, reason] : reasons) {
    if (reason->count == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(reason->count) + " " + name + " (e.g. " + reason->example + ")";
  }
  return out.empty() ? "none" : out;
}

TranscriptSet assemble_transcripts(io::GenomeReader& genome, const std::string& annotation_path,
                                   const TranscriptOptions& options) {
  check_options(options);
  std::vector<Draft> drafts = group_features(annotation_path, io::read_annotation(annotation_path));
  std::unordered_map<std::string, int64_t> chrom_length;
  for (const io::SequenceInfo& s : genome.sequences()) chrom_length.emplace(s.name, s.length);

  TranscriptSet set;
  int64_t on_known_chrom = 0;
  for (Draft& d : drafts) {
    Transcript t;
    if (!build_structure(annotation_path, d, options, t)) {
      set.skipped.no_exons.add(d.id);
      continue;
    }
    auto chrom = chrom_length.find(t.chrom);
    if (chrom == chrom_length.end()) {
      set.skipped.unknown_chrom.add(t.id);
      continue;
    }
    ++on_known_chrom;
    for (const Interval& e : d.exons) {
      if (e.end > chrom->second) {
        throw InputError(annotation_path, e.line,
                         "exon " + file_range(e) + " of transcript " + t.id + " ends beyond " +
                             t.chrom + " (length " + std::to_string(chrom->second) + " in " +
                             genome.path() + "): is the genome the annotation's assembly?");
      }
    }
    if (!passes_length(t, structure_length(t), options, set.skipped)) continue;
    for (const auto& [start, end] : t.exons) t.sequence += genome.fetch(t.chrom, start, end);
    if (t.strand == '-') t.sequence = seq::reverse_complement(t.sequence);
    normalise_bases(t.sequence);
    set.transcripts.push_back(std::move(t));
  }
  if (on_known_chrom == 0 && set.skipped.unknown_chrom.count > 0) {
    const std::string genome_example =
        genome.sequences().empty() ? std::string("none") : genome.sequences().front().name;
    throw InputError(annotation_path, 0,
                     "none of the annotation's chromosomes are in the genome " + genome.path() +
                         " (annotation: e.g. '" + drafts.front().chrom + "'; genome: e.g. '" +
                         genome_example + "'): do the two files name chromosomes alike?");
  }
  return set;
}

TranscriptSet read_transcripts(const std::string& fasta_path, const std::string& annotation_path,
                               const TranscriptOptions& options) {
  check_options(options);
  std::vector<Draft> drafts = group_features(annotation_path, io::read_annotation(annotation_path));

  // Structures first (all annotation errors before any FASTA error), then the FASTA is streamed
  // and only the sequences that are kept are held in memory.
  std::vector<Transcript> slots(drafts.size());
  std::vector<bool> has_structure(drafts.size(), false);
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < drafts.size(); ++i) {
    has_structure[i] = build_structure(annotation_path, drafts[i], options, slots[i]);
    index.emplace(drafts[i].id, i);
  }

  TranscriptSet set;
  std::vector<int64_t> matched_line(drafts.size(), 0);  // FASTA header line of the match
  std::vector<bool> keep(drafts.size(), false);
  int64_t matched = 0;
  std::string fasta_example;
  io::FastaReader reader(fasta_path);
  io::FastaRecord record;
  while (reader.next(record)) {
    if (fasta_example.empty()) fasta_example = record.name;
    size_t i = drafts.size();
    for (const std::string& id : candidate_ids(record.name)) {
      auto it = index.find(id);
      if (it != index.end()) {
        i = it->second;
        break;
      }
    }
    if (i == drafts.size()) {
      set.skipped.not_in_gtf.add(record.name);
      continue;
    }
    if (matched_line[i] != 0) {
      throw InputError(fasta_path, record.header_line,
                       "second record for transcript " + drafts[i].id + " (first at line " +
                           std::to_string(matched_line[i]) + ")");
    }
    matched_line[i] = record.header_line;
    ++matched;
    if (!has_structure[i]) continue;  // counted as no_exons below
    Transcript& t = slots[i];
    const int64_t expected = structure_length(t);
    const auto length = static_cast<int64_t>(record.sequence.size());
    if (length != expected) {
      throw InputError(fasta_path, record.header_line,
                       "sequence " + record.name + " is " + std::to_string(length) +
                           " nt, but the exons of transcript " + t.id + " in " + annotation_path +
                           " (line " + std::to_string(t.source_line) + ") add up to " +
                           std::to_string(expected) + " nt");
    }
    if (!passes_length(t, length, options, set.skipped)) continue;
    t.sequence = std::move(record.sequence);
    normalise_bases(t.sequence);
    keep[i] = true;
  }

  if (matched == 0) {
    throw InputError(fasta_path, 0,
                     "no FASTA record matches a transcript id of " + annotation_path +
                         " (FASTA: e.g. '" + (fasta_example.empty() ? "none" : fasta_example) +
                         "'; annotation: e.g. '" + drafts.front().id +
                         "'): the transcript ids do not match");
  }
  for (size_t i = 0; i < drafts.size(); ++i) {
    if (keep[i]) {
      set.transcripts.push_back(std::move(slots[i]));
    } else if (!has_structure[i]) {
      set.skipped.no_exons.add(drafts[i].id);
    } else if (matched_line[i] == 0) {
      set.skipped.no_sequence.add(drafts[i].id);
    }
  }
  return set;
}

}  // namespace helix::data
