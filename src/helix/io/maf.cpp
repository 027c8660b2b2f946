#include "helix/io/maf.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <string_view>
#include <vector>

#include "helix/io/fasta.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Nucleotide codes (either case) and '-'.
std::array<bool, 256> make_text_table() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = is_nucleotide_code(static_cast<char>(c));
  table[static_cast<unsigned char>('-')] = true;
  return table;
}
const std::array<bool, 256> kTextChar = make_text_table();

std::string quote_char(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "'\\x%02X'", static_cast<unsigned char>(c));
  return buf;
}

// Splits `line` at runs of blanks; returns at most `max_fields` + 1 fields (the extra one only
// says that there were too many).
std::vector<std::string_view> split_fields(std::string_view line, size_t max_fields) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size() && fields.size() <= max_fields) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) break;
    size_t j = i;
    while (j < line.size() && !is_blank(line[j])) ++j;
    fields.push_back(line.substr(i, j - i));
    i = j;
  }
  return fields;
}

// The line's type letter: its first character when followed by a blank or the line end, or '#'
// for comments; '?' otherwise (e.g. a sequence line of a FASTA file).
char line_type(std::string_view line) {
  if (line[0] == '#') return '#';
  if (line.size() == 1 || is_blank(line[1])) return line[0];
  return '?';
}

bool parse_count(std::string_view text, int64_t& value) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

MafReader::MafReader(const std::string& path) : lines_(path) {}

MafReader::~MafReader() = default;

void MafReader::parse_s_line(MafRow& row) {
  const std::string& path = lines_.path();
  const int64_t line_no = lines_.line_number();
  const auto fields = split_fields(line_, 7);
  if (fields.size() != 7) {
    const std::string count =
        fields.size() > 7 ? std::string("more than 7") : std::to_string(fields.size());
    throw InputError(path, line_no,
                     "MAF 's' line with " + count +
                         " fields (expected 7: s src start size strand srcSize text)");
  }
  row.line = line_no;
  row.src.assign(fields[1]);
  const size_t dot = row.src.find('.');
  if (dot == std::string::npos) {
    row.species = row.src;
    row.chrom.clear();
  } else {
    row.species = row.src.substr(0, dot);
    row.chrom = row.src.substr(dot + 1);
  }
  const char* names[] = {"start", "size", "srcSize"};
  int64_t* values[] = {&row.start, &row.size, &row.src_size};
  const size_t positions[] = {2, 3, 5};
  for (int i = 0; i < 3; ++i) {
    if (!parse_count(fields[positions[i]], *values[i])) {
      throw InputError(path, line_no,
                       "MAF 's' line: " + std::string(names[i]) + " '" +
                           std::string(fields[positions[i]]) + "' is not a non-negative integer");
    }
  }
  if (fields[4].size() != 1 || (fields[4][0] != '+' && fields[4][0] != '-')) {
    throw InputError(path, line_no,
                     "MAF 's' line: strand '" + std::string(fields[4]) + "' (expected + or -)");
  }
  row.strand = fields[4][0];
  if (row.start > row.src_size - row.size) {
    throw InputError(path, line_no,
                     "MAF 's' line: start + size (" + std::to_string(row.start) + " + " +
                         std::to_string(row.size) + ") exceeds srcSize " +
                         std::to_string(row.src_size));
  }
  const std::string_view text = fields[6];
  int64_t bases = 0;
  for (char c : text) {
    if (!kTextChar[static_cast<unsigned char>(c)]) {
      throw InputError(path, line_no,
                       "invalid character " + quote_char(c) + " in the alignment text of " +
                           row.src +
                           " (expected a nucleotide code: ACGTUN or IUPAC ambiguity letters, or "
                           "'-' for a gap)");
    }
    bases += c != '-';
  }
  if (bases != row.size) {
    throw InputError(path, line_no,
                     "MAF 's' line: size " + std::to_string(row.size) + " of " + row.src +
                         " differs from the " + std::to_string(bases) +
                         " non-gap characters of its text");
  }
  row.text.assign(text);
}

bool MafReader::next(MafBlock& block) {
  const std::string& path = lines_.path();
  if (done_) return false;
  // Find the block's `a` line (read ahead by the previous call when blocks are not separated by
  // a blank line).
  if (!pending_a_) {
    for (;;) {
      if (!lines_.next(line_)) {
        done_ = true;
        return false;
      }
      const std::string_view line = line_;
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      const char type = line_type(line);
      if (type == '#') continue;
      if (type == 'a') break;
      if (type == 's' || type == 'i' || type == 'e' || type == 'q') {
        throw InputError(path, lines_.line_number(),
                         std::string("MAF '") + type +
                             "' line outside an alignment block (blocks start with an 'a' line)");
      }
      throw InputError(path, lines_.line_number(),
                       "not a MAF line: expected a '##maf' header, a '#' comment or an 'a' line "
                       "starting an alignment block, found " +
                           quote_char(line[0]));
    }
  }
  pending_a_ = false;
  block.line = lines_.line_number();
  size_t used = 0;  // rows of `block.rows` filled so far (reused to keep their string buffers)
  while (lines_.next(line_)) {
    const std::string_view line = line_;
    if (line.find_first_not_of(" \t") == std::string_view::npos) break;
    const char type = line_type(line);
    if (type == 'a') {
      pending_a_ = true;
      break;
    }
    if (type == 'i' || type == 'e' || type == 'q' || type == '#') continue;
    if (type != 's') {
      throw InputError(path, lines_.line_number(),
                       "not a MAF line inside an alignment block: expected an s, i, e or q line "
                       "(or a blank line ending the block), found " +
                           quote_char(line[0]));
    }
    if (used == block.rows.size()) block.rows.emplace_back();
    MafRow& row = block.rows[used];
    parse_s_line(row);
    if (used > 0 && row.text.size() != block.rows[0].text.size()) {
      throw InputError(path, lines_.line_number(),
                       "MAF blocks of unequal length: the text of " + row.src + " has " +
                           std::to_string(row.text.size()) + " columns, the block's first row (" +
                           block.rows[0].src + ", line " + std::to_string(block.rows[0].line) +
                           ") " + std::to_string(block.rows[0].text.size()));
    }
    ++used;
  }
  block.rows.resize(used);
  return true;
}

}  // namespace helix::io
