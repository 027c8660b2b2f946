// Streaming reader of MAF multiple alignments (UCSC "multiple alignment format"), plain or
// gzip/bgzip (through htslib's BGZF layer). Reads one alignment block at a time and validates
// every sequence row, reporting the file and 1-based line of the first problem.
//
// Accepted layout: an optional `##maf` header and `#` comment lines between blocks; a block is an
// `a` line (its key=value pairs are ignored) followed by `s` lines
// `s src start size strand srcSize text` (fields separated by any run of blanks); `i`, `e` and
// `q` lines inside a block are ignored; a blank line (or the next `a` line, or the end of the
// file) ends the block. Coordinates are kept as in the file: `start` is 0-based and counts on the
// row's strand (for '-', from the end of the reverse-complemented source), and `text` is the
// aligned sequence on that strand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "helix/io/text_lines.hpp"

namespace helix::io {

struct MafRow {
  std::string src;       // source name as in the file, e.g. "Hsap.22"
  std::string species;   // text before the first '.' of src ("Hsap"); all of src if it has none
  std::string chrom;     // text after the first '.' ("22"); empty if src has no '.'
  int64_t start = 0;     // 0-based start of the aligned region on `strand`
  int64_t size = 0;      // number of bases (non-gap characters) in `text`
  int64_t src_size = 0;  // length of the whole source sequence
  char strand = '+';     // '+' or '-'
  std::string text;      // aligned text as in the file (case kept, '-' for gaps)
  int64_t line = 0;      // 1-based line of the `s` line
};

struct MafBlock {
  int64_t line = 0;          // 1-based line of the `a` line
  std::vector<MafRow> rows;  // the `s` rows in file order; all texts have the same length
};

class MafReader {
 public:
  // Throws InputError for a missing, unreadable or directory path, and for a bgzip file whose
  // end-of-file marker is missing (truncated at a block boundary).
  explicit MafReader(const std::string& path);
  ~MafReader();
  MafReader(const MafReader&) = delete;
  MafReader& operator=(const MafReader&) = delete;

  // Reads the next block into `block`; returns false at end of file (and on every later call).
  // '\r' line ends are accepted. Throws InputError (file, line) for: an `s` line outside a block;
  // an `s` line without exactly 7 fields; a start, size or srcSize that is not a non-negative
  // integer; start + size > srcSize; a strand other than '+' or '-'; a text character other than
  // a nucleotide code (ACGTUN or IUPAC, either case) or '-'; a size that differs from the number
  // of non-gap characters in the text; rows of one block with texts of unequal length; a line
  // of an unknown type; a truncated or corrupt gzip stream.
  bool next(MafBlock& block);
  const std::string& path() const { return lines_.path(); }

 private:
  void parse_s_line(MafRow& row);
  TextLineReader lines_;
  std::string_view line_;   // the line last read from `lines_`
  bool pending_a_ = false;  // `line_` is the `a` line of the next block, read ahead
  bool done_ = false;
};

}  // namespace helix::io
