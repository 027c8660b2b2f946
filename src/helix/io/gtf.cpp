#include "helix/io/gtf.hpp"

#include <cctype>
#include <charconv>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "helix/io/text_lines.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Comment, directive or blank: not a feature line.
bool is_skipped_line(std::string_view line) {
  const size_t first = line.find_first_not_of(" \t");
  return first == std::string_view::npos || line[first] == '#';
}

bool is_gff3_directive(std::string_view line) {
  if (line.substr(0, 13) != "##gff-version") return false;
  std::string_view version = trim(line.substr(13));
  return !version.empty() && version.front() == '3';
}

// GFF3-style attributes start with `key=`; GTF ones with `key "value"` or `key value`.
bool attributes_look_like_gff3(std::string_view attributes) {
  attributes = trim(attributes);
  const size_t stop = attributes.find_first_of(" \t\";");
  const size_t eq = attributes.find('=');
  return eq != std::string_view::npos && (stop == std::string_view::npos || eq < stop);
}

// The 9 tab-separated fields of a feature line; fewer or more is an error, since columns after a
// missing one would be read as the wrong thing.
void split_fields(const std::string& path, int64_t line_no, std::string_view line,
                  std::string_view (&fields)[9]) {
  size_t count = 0;
  for (size_t start = 0;;) {
    const size_t tab = line.find('\t', start);
    if (count < 9) fields[count] = line.substr(start, tab - start);
    ++count;
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (count != 9) {
    std::string hint;
    if (count == 1 && line.find(' ') != std::string_view::npos) {
      hint = " (columns must be separated by tabs, not spaces)";
    }
    throw InputError(path, line_no,
                     "expected 9 tab-separated fields (seqname, source, feature, start, end, "
                     "score, strand, frame, attributes), found " +
                         std::to_string(count) + hint);
  }
}

int64_t parse_position(const std::string& path, int64_t line_no, const char* what,
                       std::string_view text) {
  text = trim(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw InputError(path, line_no,
                     std::string(what) + " '" + std::string(text) + "' is not an integer");
  }
  if (value < 1) {
    throw InputError(path, line_no,
                     std::string(what) + " " + std::to_string(value) +
                         " is not a valid position (GTF/GFF3 coordinates are 1-based)");
  }
  return value;
}

bool kept_feature(std::string_view type, FeatureType& out) {
  if (type == "exon") {
    out = FeatureType::kExon;
  } else if (type == "CDS") {
    out = FeatureType::kCds;
  } else if (type == "stop_codon") {
    out = FeatureType::kStopCodon;
  } else {
    return false;
  }
  return true;
}

// Columns 1-8 of a line, checked; `feature.type` is set only when `kept`.
struct Columns {
  std::string_view chrom, type, attributes;
  int64_t start = 0, end = 0;  // 0-based half-open
  char strand = '.';
  bool kept = false;
  FeatureType feature_type = FeatureType::kExon;
};

Columns parse_columns(const std::string& path, int64_t line_no, std::string_view line) {
  std::string_view f[9];
  split_fields(path, line_no, line, f);
  Columns c;
  c.chrom = trim(f[0]);
  if (c.chrom.empty()) throw InputError(path, line_no, "empty sequence name (column 1)");
  c.type = trim(f[2]);
  const int64_t start = parse_position(path, line_no, "start", f[3]);
  const int64_t end = parse_position(path, line_no, "end", f[4]);
  if (start > end) {
    throw InputError(
        path, line_no,
        "start " + std::to_string(start) + " is greater than end " + std::to_string(end));
  }
  c.start = start - 1;  // 1-based closed [start, end] -> 0-based half-open [start - 1, end)
  c.end = end;
  c.attributes = f[8];
  c.kept = kept_feature(c.type, c.feature_type);
  if (c.kept) {
    const std::string_view strand = trim(f[6]);
    if (strand != "+" && strand != "-") {
      throw InputError(path, line_no,
                       "strand '" + std::string(strand) + "' on " + std::string(c.type) +
                           " feature: a transcript needs '+' or '-'");
    }
    c.strand = strand.front();
  }
  return c;
}

// ---- GTF ----

// Calls fn(key, value) for each `key value` attribute; quoted values are unquoted (a backslash
// escapes the next character) and may hold blanks and ';'.
template <typename Fn>
void for_each_gtf_attribute(const std::string& path, int64_t line_no, std::string_view text,
                            Fn fn) {
  size_t i = 0;
  const size_t n = text.size();
  std::string value;
  while (i < n) {
    while (i < n && (is_blank(text[i]) || text[i] == ';')) ++i;
    if (i >= n) break;
    const size_t key_begin = i;
    while (i < n && !is_blank(text[i]) && text[i] != ';' && text[i] != '"') ++i;
    const std::string_view key = text.substr(key_begin, i - key_begin);
    while (i < n && is_blank(text[i])) ++i;
    value.clear();
    if (i < n && text[i] == '"') {
      const size_t open = i++;
      bool closed = false;
      for (; i < n; ++i) {
        if (text[i] == '\\' && i + 1 < n) {
          value += text[++i];
        } else if (text[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          value += text[i];
        }
      }
      if (!closed) {
        throw InputError(path, line_no,
                         "unterminated quoted value of attribute '" + std::string(key) +
                             "' (quote opened at column 9, character " + std::to_string(open + 1) +
                             ")");
      }
      // Anything after the closing quote up to ';' (a second value) is ignored.
      while (i < n && text[i] != ';') ++i;
    } else {
      const size_t value_begin = i;
      while (i < n && text[i] != ';') ++i;
      value.assign(trim(text.substr(value_begin, i - value_begin)));
    }
    fn(key, value);
  }
}

void read_gtf(const std::string& path, std::vector<AnnotationFeature>& features) {
  TextLineReader reader(path);
  std::string_view line;
  while (reader.next(line)) {
    if (is_skipped_line(line)) continue;
    const int64_t line_no = reader.line_number();
    const Columns c = parse_columns(path, line_no, line);
    if (!c.kept) continue;
    AnnotationFeature feature;
    bool has_transcript = false, has_gene = false, has_name = false;
    for_each_gtf_attribute(path, line_no, c.attributes,
                           [&](std::string_view key, const std::string& value) {
                             if (key == "transcript_id" && !has_transcript) {
                               feature.transcript_id = value;
                               has_transcript = true;
                             } else if (key == "gene_id" && !has_gene) {
                               feature.gene_id = value;
                               has_gene = true;
                             } else if (key == "gene_name" && !has_name) {
                               feature.gene_name = value;
                               has_name = true;
                             }
                           });
    if (feature.transcript_id.empty()) {
      std::string hint;
      if (attributes_look_like_gff3(c.attributes)) {
        hint = " (the attributes look like GFF3 key=value pairs: name the file .gff3)";
      }
      throw InputError(path, line_no,
                       std::string(c.type) + " feature without a transcript_id attribute" + hint);
    }
    feature.type = c.feature_type;
    feature.chrom.assign(c.chrom);
    feature.start = c.start;
    feature.end = c.end;
    feature.strand = c.strand;
    feature.line = line_no;
    features.push_back(std::move(feature));
  }
}

// ---- GFF3 ----

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// GFF3 escapes ';', '=', ',', '&', tabs and control characters as %XX.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Calls fn(key, raw_value) for each `key=value` attribute (value not yet decoded: Parent lists
// are split on ',' before decoding, since %2C is a comma inside one value).
template <typename Fn>
void for_each_gff3_attribute(const std::string& path, int64_t line_no, std::string_view text,
                             Fn fn) {
  for (size_t start = 0; start <= text.size();) {
    size_t semi = text.find(';', start);
    if (semi == std::string_view::npos) semi = text.size();
    const std::string_view item = trim(text.substr(start, semi - start));
    start = semi + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      std::string hint;
      if (item.find('"') != std::string_view::npos || item.find(' ') != std::string_view::npos) {
        hint = " (this looks like a GTF attribute: name the file .gtf)";
      }
      throw InputError(path, line_no,
                       "attribute '" + std::string(item) + "' has no '=' (GFF3 attributes are " +
                           "key=value)" + hint);
    }
    fn(trim(item.substr(0, eq)), item.substr(eq + 1));
  }
}

std::vector<std::string> split_values(std::string_view raw) {
  std::vector<std::string> values;
  for (size_t start = 0; start <= raw.size();) {
    size_t comma = raw.find(',', start);
    if (comma == std::string_view::npos) comma = raw.size();
    const std::string_view v = trim(raw.substr(start, comma - start));
    if (!v.empty()) values.push_back(percent_decode(v));
    start = comma + 1;
  }
  return values;
}

// What is kept of a feature that may be a parent (transcript or gene).
struct Gff3Node {
  std::string type;
  std::vector<std::string> parents;
  std::string name, gene_id, gene_name, transcript_id;
};

// A kept feature before its Parent is resolved.
struct Gff3Child {
  AnnotationFeature feature;  // transcript_id holds the raw Parent id
  std::vector<std::string> parents;
};

void read_gff3(const std::string& path, std::vector<AnnotationFeature>& features) {
  TextLineReader reader(path);
  std::unordered_map<std::string, Gff3Node> nodes;
  std::vector<Gff3Child> children;
  std::string_view line;
  while (reader.next(line)) {
    if (line.substr(0, 7) == "##FASTA") break;  // sequences follow; not annotation
    if (is_skipped_line(line)) continue;
    const int64_t line_no = reader.line_number();
    const Columns c = parse_columns(path, line_no, line);
    std::string id, name, gene_id, gene_name, transcript_id;
    std::vector<std::string> parents;
    for_each_gff3_attribute(path, line_no, c.attributes,
                            [&](std::string_view key, std::string_view raw) {
                              if (key == "ID") {
                                id = percent_decode(trim(raw));
                              } else if (key == "Parent") {
                                parents = split_values(raw);
                              } else if (key == "Name") {
                                name = percent_decode(trim(raw));
                              } else if (key == "gene_id") {
                                gene_id = percent_decode(trim(raw));
                              } else if (key == "gene_name") {
                                gene_name = percent_decode(trim(raw));
                              } else if (key == "transcript_id") {
                                transcript_id = percent_decode(trim(raw));
                              }
                            });
    if (!c.kept) {
      // Only features that are not exon/CDS/stop_codon can be the transcripts and genes that
      // kept features point at, so only these are remembered (exons carry IDs in GENCODE too).
      if (!id.empty()) {
        Gff3Node& node = nodes[id];
        node.type.assign(c.type);
        node.parents = std::move(parents);
        node.name = std::move(name);
        node.gene_id = std::move(gene_id);
        node.gene_name = std::move(gene_name);
        node.transcript_id = std::move(transcript_id);
      }
      continue;
    }
    if (parents.empty()) {
      std::string hint;
      if (!transcript_id.empty()) hint = " (it has transcript_id=" + transcript_id + ")";
      throw InputError(
          path, line_no,
          std::string(c.type) + " feature without a Parent attribute naming its transcript" + hint);
    }
    Gff3Child child;
    AnnotationFeature& f = child.feature;
    f.type = c.feature_type;
    f.chrom = percent_decode(c.chrom);
    f.start = c.start;
    f.end = c.end;
    f.strand = c.strand;
    f.gene_id = std::move(gene_id);
    f.gene_name = gene_name.empty() ? std::move(name) : std::move(gene_name);
    f.line = line_no;
    child.parents = std::move(parents);
    children.push_back(std::move(child));
  }

  // Parents may come after their children, so links are resolved once the whole file is read.
  for (Gff3Child& child : children) {
    for (const std::string& parent : child.parents) {
      AnnotationFeature f = child.feature;
      f.transcript_id = parent;
      std::string feature_gene_name;
      feature_gene_name.swap(f.gene_name);
      auto it = nodes.find(parent);
      if (it != nodes.end()) {
        const Gff3Node& transcript = it->second;
        if (!transcript.transcript_id.empty()) f.transcript_id = transcript.transcript_id;
        const Gff3Node* gene = nullptr;
        std::string gene_key;
        if (transcript.type == "gene") {
          // CDS/exon directly under a gene (single-isoform annotations): the gene is the
          // transcript.
          gene = &transcript;
          gene_key = parent;
        } else if (!transcript.parents.empty()) {
          gene_key = transcript.parents.front();
          auto g = nodes.find(gene_key);
          if (g != nodes.end()) gene = &g->second;
        }
        if (gene != nullptr) {
          f.gene_id = gene->gene_id.empty() ? gene_key : gene->gene_id;
          f.gene_name = !gene->name.empty() ? gene->name : gene->gene_name;
        } else if (!gene_key.empty()) {
          f.gene_id = gene_key;
        }
        if (f.gene_id.empty()) f.gene_id = transcript.gene_id;
        if (f.gene_name.empty()) f.gene_name = transcript.gene_name;
      }
      if (f.gene_name.empty()) f.gene_name = std::move(feature_gene_name);
      features.push_back(std::move(f));
    }
  }
}

}  // namespace

std::string annotation_format_name(AnnotationFormat format) {
  switch (format) {
    case AnnotationFormat::kGtf:
      return "gtf";
    case AnnotationFormat::kGff3:
      return "gff3";
    case AnnotationFormat::kAuto:
      break;
  }
  return "auto";
}

AnnotationFormat detect_annotation_format(const std::string& path) {
  std::string name = path;
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* gz : {".gz", ".bgz"}) {
    if (ends_with(name, gz)) name.resize(name.size() - std::strlen(gz));
  }
  if (ends_with(name, ".gtf")) return AnnotationFormat::kGtf;
  if (ends_with(name, ".gff3")) return AnnotationFormat::kGff3;

  TextLineReader reader(path);
  std::string_view line;
  while (reader.next(line)) {
    if (is_gff3_directive(line)) return AnnotationFormat::kGff3;
    if (is_skipped_line(line)) continue;
    // The attributes are the 9th field; a malformed line is left for the reader to report.
    size_t pos = 0;
    for (int tabs = 0; tabs < 8 && pos != std::string_view::npos; ++tabs) {
      pos = line.find('\t', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos) return AnnotationFormat::kGtf;
    return attributes_look_like_gff3(line.substr(pos)) ? AnnotationFormat::kGff3
                                                       : AnnotationFormat::kGtf;
  }
  return AnnotationFormat::kGtf;
}

std::vector<AnnotationFeature> read_annotation(const std::string& path, AnnotationFormat format) {
  if (format == AnnotationFormat::kAuto) format = detect_annotation_format(path);
  std::vector<AnnotationFeature> features;
  if (format == AnnotationFormat::kGff3) {
    read_gff3(path, features);
  } else {
    read_gtf(path, features);
  }
  return features;
}

}  // namespace helix::io
