#include "helix/io/fasta.hpp"

#include <htslib/bgzf.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <string_view>

#include "helix/util/error.hpp"

namespace helix::io {
namespace {

constexpr std::array<bool, 256> make_nucleotide_table() {
  std::array<bool, 256> table{};
  for (const char* p = "ACGTUNRYKMSWBDHV"; *p != '\0'; ++p) {
    table[static_cast<unsigned char>(*p)] = true;
    table[static_cast<unsigned char>(*p - 'A' + 'a')] = true;
  }
  return table;
}
constexpr std::array<bool, 256> kNucleotide = make_nucleotide_table();

bool is_blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string quote_char(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "'\\x%02X'", static_cast<unsigned char>(c));
  return buf;
}

}  // namespace

bool is_nucleotide_code(char c) { return kNucleotide[static_cast<unsigned char>(c)]; }

bool starts_like_fasta(const std::string& path, const std::string& expected) {
  BGZF* f = bgzf_open(path.c_str(), "r");
  if (f == nullptr) throw InputError(path, 0, "cannot open file");
  int c;
  while ((c = bgzf_getc(f)) >= 0 && std::isspace(c)) {
  }
  bgzf_close(f);
  if (c < 0) throw InputError(path, 0, "empty file (expected " + expected + ")");
  return c == '>';
}

FastaReader::FastaReader(const std::string& path) : lines_(path) {}

FastaReader::~FastaReader() = default;

bool FastaReader::next(FastaRecord& record) {
  const std::string& path = lines_.path();
  if (!have_header_) {
    // Only at the start of the file: every later header was read ahead by the previous call.
    for (;;) {
      if (!lines_.next(line_)) return false;
      const auto first = std::find_if_not(line_.begin(), line_.end(), is_blank);
      if (first == line_.end()) continue;
      if (*first != '>') {
        throw InputError(path, lines_.line_number(),
                         "expected a FASTA header line starting with '>', found text before the "
                         "first header");
      }
      break;
    }
  }
  have_header_ = false;

  // Header: same name rule as htslib's faidx (leading blanks skipped, name ends at a blank), so
  // that names agree whichever backend opens the file.
  std::string_view header = line_;
  header.remove_prefix(header.find('>') + 1);
  auto name_begin = std::find_if_not(header.begin(), header.end(), is_blank);
  auto name_end = std::find_if(name_begin, header.end(), is_blank);
  record.name.assign(name_begin, name_end);
  if (record.name.empty())
    throw InputError(path, lines_.line_number(), "FASTA header without a name");
  std::string_view description = header.substr(static_cast<size_t>(name_end - header.begin()));
  while (!description.empty() && is_blank(description.front())) description.remove_prefix(1);
  while (!description.empty() && is_blank(description.back())) description.remove_suffix(1);
  record.description.assign(description);
  record.header_line = lines_.line_number();
  record.sequence.clear();

  while (lines_.next(line_)) {
    const char* p = line_.data();
    const char* end = p + line_.size();
    if (p != end && *p == '>') {
      have_header_ = true;
      return true;
    }
    const char* run = p;  // start of the current run of valid characters
    for (; p != end; ++p) {
      if (is_nucleotide_code(*p)) continue;
      if (!is_blank(*p)) {
        throw InputError(path, lines_.line_number(),
                         "invalid character " + quote_char(*p) + " in sequence " + record.name +
                             " (expected a nucleotide code: ACGTUN or IUPAC ambiguity letters)");
      }
      record.sequence.append(run, p);
      run = p + 1;
    }
    record.sequence.append(run, end);
  }
  return true;
}

}  // namespace helix::io
