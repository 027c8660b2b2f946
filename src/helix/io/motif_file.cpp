#include "helix/io/motif_file.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "helix/io/fasta.hpp"
#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"

namespace helix::io {

namespace {

using motif::Motif;
using Row = std::array<double, 4>;

struct Line {
  std::string text;
  int64_t number = 0;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<Line> read_lines(const std::string& path) {
  require_readable_file(path);
  std::ifstream in(path);
  std::vector<Line> lines;
  std::string text;
  int64_t number = 0;
  while (std::getline(in, text)) lines.push_back({trim(text), ++number});
  return lines;
}

// Whitespace-separated numbers of a line (brackets and a leading base letter already removed).
std::vector<double> numbers(const std::string& text, const std::string& path, int64_t line) {
  std::istringstream in(text);
  std::vector<double> out;
  std::string token;
  while (in >> token) {
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size() || !std::isfinite(v)) {
      throw InputError(path, line, "'" + token + "' is not a number (expected motif counts)");
    }
    if (v < 0) throw InputError(path, line, "negative entry '" + token + "' in a motif matrix");
    out.push_back(v);
  }
  return out;
}

// Splits ">MA0004.1_MA0004.1.Arnt" (the transfac-derived JASPAR bundle) into id and name.
// `split_bundle_id`: JASPAR bundles write ">MA0004.1_MA0004.1.Arnt" for id MA0004.1 and name
// Arnt. A MEME MOTIF line's first token is the id as is (MEME's tools print it whole).
void set_id_and_name(Motif& m, const std::string& header, bool split_bundle_id) {
  std::istringstream in(header);
  in >> m.id;
  std::getline(in, m.name);
  m.name = trim(m.name);
  const auto underscore = m.id.find('_');
  if (split_bundle_id && m.name.empty() && underscore != std::string::npos) {
    const std::string base = m.id.substr(0, underscore);
    const std::string rest = m.id.substr(underscore + 1);
    if (rest.rfind(base + ".", 0) == 0) {
      m.name = rest.substr(base.size() + 1);
      m.id = base;
    }
  }
}

// One JASPAR-like matrix from its rows, in whichever orientation they are.
std::vector<Row> jaspar_matrix(const std::vector<std::vector<double>>& rows, bool base_rows,
                               const std::string& path, int64_t header_line) {
  auto fail = [&](const std::string& what) { throw InputError(path, header_line, what); };
  if (rows.empty()) fail("motif without matrix rows");
  bool four_each = true;
  for (const auto& r : rows) four_each = four_each && r.size() == 4;
  if (!base_rows && rows.size() == 4 && !four_each) base_rows = true;
  if (!base_rows && rows.size() == 4 && four_each) {
    // 4 x 4: counts per position sum to the number of sites, so the axis with constant sums is
    // the position axis.
    double row_spread = 0, col_spread = 0, row_first = 0, col_first = 0;
    for (int i = 0; i < 4; ++i) {
      double rs = 0, cs = 0;
      for (int j = 0; j < 4; ++j) {
        rs += rows[i][j];
        cs += rows[j][i];
      }
      if (i == 0) {
        row_first = rs;
        col_first = cs;
      }
      row_spread = std::max(row_spread, std::abs(rs - row_first));
      col_spread = std::max(col_spread, std::abs(cs - col_first));
    }
    base_rows = col_spread < row_spread;
  }
  std::vector<Row> out;
  if (base_rows) {
    if (rows.size() != 4)
      fail("expected 4 rows of counts (A, C, G, T), found " + std::to_string(rows.size()));
    for (const auto& r : rows) {
      if (r.size() != rows[0].size()) fail("the 4 base rows differ in length");
    }
    out.resize(rows[0].size());
    for (size_t p = 0; p < out.size(); ++p) {
      for (int b = 0; b < 4; ++b) out[p][b] = rows[b][p];
    }
  } else {
    if (!four_each) fail("expected rows of 4 counts (A C G T) per position, or 4 base rows");
    for (const auto& r : rows) out.push_back({r[0], r[1], r[2], r[3]});
  }
  if (out.empty()) fail("motif of length 0");
  return out;
}

std::vector<Motif> read_jaspar(const std::vector<Line>& lines, const std::string& path) {
  std::vector<Motif> motifs;
  size_t i = 0;
  while (i < lines.size()) {
    const auto& header = lines[i];
    if (header.text.empty() || header.text[0] == '#') {
      ++i;
      continue;
    }
    if (header.text[0] != '>') {
      throw InputError(path, header.number,
                       "expected a '>' motif header, found '" + header.text.substr(0, 40) + "'");
    }
    Motif m;
    set_id_and_name(m, header.text.substr(1), /*split_bundle_id=*/true);
    if (m.id.empty()) throw InputError(path, header.number, "motif header without an id");
    std::vector<std::vector<double>> rows;
    bool bracketed = false;
    for (++i; i < lines.size() && (lines[i].text.empty() || lines[i].text[0] != '>'); ++i) {
      std::string text = lines[i].text;
      if (text.empty() || text[0] == '#') continue;
      // ".jaspar" rows: "A [ 1 2 3 ]".
      if (std::string("ACGT").find(text[0]) != std::string::npos && text.size() > 1 &&
          (text[1] == ' ' || text[1] == '\t' || text[1] == '[')) {
        if (std::string("ACGT")[rows.size() % 4] != text[0]) {
          throw InputError(path, lines[i].number, "base rows must come in the order A, C, G, T");
        }
        text = text.substr(1);
        bracketed = true;
      }
      for (char& c : text) {
        if (c == '[' || c == ']') c = ' ';
      }
      rows.push_back(numbers(text, path, lines[i].number));
    }
    const auto counts = jaspar_matrix(rows, bracketed, path, header.number);
    double sites = 0;
    for (double v : counts[0]) sites += v;
    m.sites = sites;
    m.probabilities = motif::normalise_rows(counts);
    motifs.push_back(std::move(m));
  }
  return motifs;
}

// Value of "key= value" in a MEME matrix header line (0 when absent).
double meme_field(const std::string& text, const std::string& key) {
  const auto at = text.find(key + "=");
  if (at == std::string::npos) return 0;
  return std::atof(text.c_str() + at + key.size() + 1);
}

std::vector<Motif> read_meme(const std::vector<Line>& lines, const std::string& path) {
  std::vector<Motif> motifs;
  bool in_motif = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (line.text.rfind("ALPHABET", 0) == 0) {
      const auto value = trim(line.text.substr(line.text.find_first_of("= ") + 1));
      if (value != "ACGT") {
        throw InputError(path, line.number,
                         "alphabet '" + value + "' is not supported (expected ALPHABET= ACGT)");
      }
    } else if (line.text.rfind("MOTIF", 0) == 0) {
      Motif m;
      set_id_and_name(m, trim(line.text.substr(5)), /*split_bundle_id=*/false);
      if (m.id.empty()) throw InputError(path, line.number, "MOTIF line without an id");
      motifs.push_back(std::move(m));
      in_motif = true;
    } else if (line.text.rfind("letter-probability matrix", 0) == 0 ||
               line.text.rfind("log-odds matrix", 0) == 0) {
      const bool probabilities = line.text[0] == 'l' && line.text[1] == 'e';
      if (!in_motif) throw InputError(path, line.number, "matrix before any MOTIF line");
      const auto width = static_cast<int64_t>(meme_field(line.text, "w"));
      const double alength = meme_field(line.text, "alength");
      if (alength != 0 && alength != 4) {
        throw InputError(path, line.number, "alength= must be 4 (ACGT)");
      }
      std::vector<Row> rows;
      size_t j = i + 1;
      for (; j < lines.size() && (width == 0 || static_cast<int64_t>(rows.size()) < width); ++j) {
        if (lines[j].text.empty()) {
          if (rows.empty()) continue;
          break;
        }
        if (!std::isdigit(static_cast<unsigned char>(lines[j].text[0])) &&
            lines[j].text[0] != '.' && lines[j].text[0] != '-') {
          break;
        }
        // Log-odds rows (negative by nature) are counted, not kept.
        const auto v = probabilities ? numbers(lines[j].text, path, lines[j].number)
                                     : std::vector<double>(4, 0.0);
        if (v.size() != 4) {
          throw InputError(path, lines[j].number,
                           "expected 4 probabilities (A C G T), found " + std::to_string(v.size()));
        }
        rows.push_back({v[0], v[1], v[2], v[3]});
      }
      if (rows.empty() || (width > 0 && static_cast<int64_t>(rows.size()) != width)) {
        throw InputError(
            path, line.number,
            "matrix has " + std::to_string(rows.size()) + " rows but w= " + std::to_string(width));
      }
      i = j - 1;
      if (!probabilities) continue;  // log-odds matrices are not needed
      auto& m = motifs.back();
      m.probabilities = motif::normalise_rows(rows);
      m.sites = meme_field(line.text, "nsites");
    }
  }
  for (const auto& m : motifs) {
    if (m.probabilities.empty()) {
      throw InputError(path, 0, "motif '" + m.id + "' has no letter-probability matrix");
    }
  }
  return motifs;
}

}  // namespace

std::vector<motif::Motif> read_motifs(const std::string& path) {
  const auto lines = read_lines(path);
  bool meme = false, any = false;
  for (const auto& l : lines) {
    if (l.text.empty()) continue;
    any = true;
    if (l.text.rfind("MEME version", 0) == 0) meme = true;
  }
  if (!any) throw InputError(path, 0, "empty file (expected MEME or JASPAR motifs)");
  auto motifs = meme ? read_meme(lines, path) : read_jaspar(lines, path);
  if (motifs.empty()) throw InputError(path, 0, "no motifs found");
  return motifs;
}

void write_meme(const std::string& path, const std::vector<motif::Motif>& motifs) {
  std::ostringstream out;
  out << "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
      << "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n";
  char buffer[64];
  for (const auto& m : motifs) {
    out << "MOTIF " << m.id;
    if (!m.name.empty()) out << " " << m.name;
    out << "\nletter-probability matrix: alength= 4 w= " << m.length()
        << " nsites= " << (m.sites > 0 ? m.sites : 20) << " E= 0\n";
    for (const auto& row : m.probabilities) {
      std::snprintf(buffer, sizeof buffer, "%.6f\t%.6f\t%.6f\t%.6f\n", row[0], row[1], row[2],
                    row[3]);
      out << buffer;
    }
    out << "\n";
  }
  write_file_atomic(path, out.str());
}

}  // namespace helix::io
