// Streaming FASTA reader (plain, gzip or bgzip, through htslib's BGZF layer). Reads one record
// at a time; validates every sequence character and reports the file and 1-based line of the
// first bad one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "helix/io/text_lines.hpp"  // TextLineReader; also declares require_readable_file

namespace helix::io {

struct FastaRecord {
  std::string name;         // header up to the first whitespace (leading blanks after '>' skipped)
  std::string description;  // rest of the header line
  std::string sequence;     // as in the file (case kept), line breaks and blanks removed
  int64_t header_line = 0;  // 1-based line of the '>' header
};

// True for IUPAC nucleotide codes in either case: A C G T U N R Y K M S W B D H V.
bool is_nucleotide_code(char c);

// True when the first non-blank character of the (possibly gzip-compressed) file is '>': how
// readers of "FASTA or a table" tell the two apart. Throws InputError (line 0) for an empty file,
// saying that `expected` was expected, or one that cannot be opened.
bool starts_like_fasta(const std::string& path, const std::string& expected);

class FastaReader {
 public:
  // Throws InputError for a missing, unreadable or directory path, and for a bgzip file whose
  // end-of-file marker is missing (truncated at a block boundary).
  explicit FastaReader(const std::string& path);
  ~FastaReader();
  FastaReader(const FastaReader&) = delete;
  FastaReader& operator=(const FastaReader&) = delete;

  // Reads the next record into `record`; returns false at end of file. Blank lines, '\r' line
  // ends and spaces inside sequence lines are ignored; a header with no sequence gives an empty
  // record. Throws InputError (file, line) for text before the first header, an empty name, a
  // non-nucleotide character, or a truncated or corrupt gzip stream.
  bool next(FastaRecord& record);
  const std::string& path() const { return lines_.path(); }

 private:
  TextLineReader lines_;
  std::string_view line_;     // the line last read from `lines_`
  bool have_header_ = false;  // `line_` is the next record's header, read ahead
};

}  // namespace helix::io
