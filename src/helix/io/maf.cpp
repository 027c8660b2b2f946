#include "helix/io/maf.hpp"

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
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

struct MafReader::State {
  BGZF* fp = nullptr;
  kstring_t line = KS_INITIALIZE;
  int64_t line_no = 0;
  bool pending_a = false;  // `line` holds the `a` line of the next block, read ahead
  bool done = false;
  ~State() {
    if (fp != nullptr) bgzf_close(fp);
    ks_free(&line);
  }
};

MafReader::MafReader(const std::string& path) : path_(path), state_(std::make_unique<State>()) {
  require_readable_file(path);
  state_->fp = bgzf_open(path.c_str(), "r");
  if (state_->fp == nullptr) {
    throw InputError(path, 0, std::string("cannot open: ") + std::strerror(errno));
  }
  if (bgzf_compression(state_->fp) == 2 && bgzf_check_EOF(state_->fp) == 0) {
    throw InputError(path, 0,
                     "truncated or corrupt compressed data (bgzip end-of-file marker missing)");
  }
}

MafReader::~MafReader() = default;

bool MafReader::read_line() {
  State& s = *state_;
  int n = bgzf_getline(s.fp, '\n', &s.line);
  if (n == -1) return false;
  if (n < -1) {
    throw InputError(path_, 0,
                     "truncated or corrupt compressed data " +
                         (s.line_no == 0 ? std::string("(nothing could be decompressed)")
                                         : "(after line " + std::to_string(s.line_no) + ")"));
  }
  ++s.line_no;
  if (s.line.l > 0 && s.line.s[s.line.l - 1] == '\r') s.line.s[--s.line.l] = '\0';
  return true;
}

void MafReader::parse_s_line(MafRow& row) {
  State& s = *state_;
  const std::string_view line(s.line.s, s.line.l);
  const auto fields = split_fields(line, 7);
  if (fields.size() != 7) {
    const std::string count =
        fields.size() > 7 ? std::string("more than 7") : std::to_string(fields.size());
    throw InputError(path_, s.line_no,
                     "MAF 's' line with " + count +
                         " fields (expected 7: s src start size strand srcSize text)");
  }
  row.line = s.line_no;
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
      throw InputError(path_, s.line_no,
                       "MAF 's' line: " + std::string(names[i]) + " '" +
                           std::string(fields[positions[i]]) + "' is not a non-negative integer");
    }
  }
  if (fields[4].size() != 1 || (fields[4][0] != '+' && fields[4][0] != '-')) {
    throw InputError(path_, s.line_no,
                     "MAF 's' line: strand '" + std::string(fields[4]) + "' (expected + or -)");
  }
  row.strand = fields[4][0];
  if (row.start > row.src_size - row.size) {
    throw InputError(path_, s.line_no,
                     "MAF 's' line: start + size (" + std::to_string(row.start) + " + " +
                         std::to_string(row.size) + ") exceeds srcSize " +
                         std::to_string(row.src_size));
  }
  const std::string_view text = fields[6];
  int64_t bases = 0;
  for (char c : text) {
    if (!kTextChar[static_cast<unsigned char>(c)]) {
      throw InputError(path_, s.line_no,
                       "invalid character " + quote_char(c) + " in the alignment text of " +
                           row.src +
                           " (expected a nucleotide code: ACGTUN or IUPAC ambiguity letters, or "
                           "'-' for a gap)");
    }
    bases += c != '-';
  }
  if (bases != row.size) {
    throw InputError(path_, s.line_no,
                     "MAF 's' line: size " + std::to_string(row.size) + " of " + row.src +
                         " differs from the " + std::to_string(bases) +
                         " non-gap characters of its text");
  }
  row.text.assign(text);
}

bool MafReader::next(MafBlock& block) {
  State& s = *state_;
  if (s.done) return false;
  // Find the block's `a` line (read ahead by the previous call when blocks are not separated by
  // a blank line).
  if (!s.pending_a) {
    for (;;) {
      if (!read_line()) {
        s.done = true;
        return false;
      }
      const std::string_view line(s.line.s, s.line.l);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      const char type = line_type(line);
      if (type == '#') continue;
      if (type == 'a') break;
      if (type == 's' || type == 'i' || type == 'e' || type == 'q') {
        throw InputError(path_, s.line_no,
                         std::string("MAF '") + type +
                             "' line outside an alignment block (blocks start with an 'a' line)");
      }
      throw InputError(path_, s.line_no,
                       "not a MAF line: expected a '##maf' header, a '#' comment or an 'a' line "
                       "starting an alignment block, found " +
                           quote_char(line[0]));
    }
  }
  s.pending_a = false;
  block.line = s.line_no;
  size_t used = 0;  // rows of `block.rows` filled so far (reused to keep their string buffers)
  while (read_line()) {
    const std::string_view line(s.line.s, s.line.l);
    if (line.find_first_not_of(" \t") == std::string_view::npos) break;
    const char type = line_type(line);
    if (type == 'a') {
      s.pending_a = true;
      break;
    }
    if (type == 'i' || type == 'e' || type == 'q' || type == '#') continue;
    if (type != 's') {
      throw InputError(path_, s.line_no,
                       "not a MAF line inside an alignment block: expected an s, i, e or q line "
                       "(or a blank line ending the block), found " +
                           quote_char(line[0]));
    }
    if (used == block.rows.size()) block.rows.emplace_back();
    MafRow& row = block.rows[used];
    parse_s_line(row);
    if (used > 0 && row.text.size() != block.rows[0].text.size()) {
      throw InputError(path_, s.line_no,
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
