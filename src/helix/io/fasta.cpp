#include "helix/io/fasta.hpp"

#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

void require_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw InputError(path, 0, "no such file");
    throw InputError(path, 0, std::string("cannot access: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path, 0, "is a directory, expected a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw InputError(path, 0, std::string("cannot read: ") + std::strerror(errno));
  std::fclose(f);
}

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

struct FastaReader::State {
  BGZF* fp = nullptr;
  kstring_t line = KS_INITIALIZE;
  int64_t line_no = 0;
  bool have_header = false;  // `line` holds the next record's header, read ahead
  ~State() {
    if (fp != nullptr) bgzf_close(fp);
    ks_free(&line);
  }
};

FastaReader::FastaReader(const std::string& path) : path_(path), state_(std::make_unique<State>()) {
  require_readable_file(path);
  state_->fp = bgzf_open(path.c_str(), "r");
  if (state_->fp == nullptr) {
    throw InputError(path, 0, std::string("cannot open: ") + std::strerror(errno));
  }
  // A bgzip file cut exactly at a block boundary decompresses cleanly; only the missing
  // end-of-file marker tells it apart from a complete file.
  if (bgzf_compression(state_->fp) == 2 && bgzf_check_EOF(state_->fp) == 0) {
    throw InputError(path, 0,
                     "truncated or corrupt compressed data (bgzip end-of-file marker missing)");
  }
}

FastaReader::~FastaReader() = default;

bool FastaReader::read_line() {
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

bool FastaReader::next(FastaRecord& record) {
  State& s = *state_;
  if (!s.have_header) {
    // Only at the start of the file: every later header was read ahead by the previous call.
    for (;;) {
      if (!read_line()) return false;
      const char* end = s.line.s + s.line.l;
      const char* first = std::find_if_not(static_cast<const char*>(s.line.s), end, is_blank);
      if (first == end) continue;
      if (*first != '>') {
        throw InputError(path_, s.line_no,
                         "expected a FASTA header line starting with '>', found text before the "
                         "first header");
      }
      break;
    }
  }
  s.have_header = false;

  // Header: same name rule as htslib's faidx (leading blanks skipped, name ends at a blank), so
  // that names agree whichever backend opens the file.
  std::string_view header(s.line.s, s.line.l);
  header.remove_prefix(header.find('>') + 1);
  auto name_begin = std::find_if_not(header.begin(), header.end(), is_blank);
  auto name_end = std::find_if(name_begin, header.end(), is_blank);
  record.name.assign(name_begin, name_end);
  if (record.name.empty()) throw InputError(path_, s.line_no, "FASTA header without a name");
  std::string_view description = header.substr(static_cast<size_t>(name_end - header.begin()));
  while (!description.empty() && is_blank(description.front())) description.remove_prefix(1);
  while (!description.empty() && is_blank(description.back())) description.remove_suffix(1);
  record.description.assign(description);
  record.header_line = s.line_no;
  record.sequence.clear();

  while (read_line()) {
    const char* p = s.line.s;
    const char* end = p + s.line.l;
    if (p != end && *p == '>') {
      s.have_header = true;
      return true;
    }
    const char* run = p;  // start of the current run of valid characters
    for (; p != end; ++p) {
      if (is_nucleotide_code(*p)) continue;
      if (!is_blank(*p)) {
        throw InputError(path_, s.line_no,
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
