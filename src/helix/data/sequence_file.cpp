#include "helix/data/sequence_file.hpp"

#include <htslib/bgzf.h>

#include <filesystem>

#include "helix/io/fasta.hpp"
#include "helix/io/table.hpp"
#include "helix/util/error.hpp"

namespace helix::data {
namespace {

// First non-blank character of a (possibly gzip-compressed) file, or 0 for an empty file.
char first_char(const std::string& path) {
  BGZF* f = bgzf_open(path.c_str(), "r");
  if (f == nullptr) throw InputError(path, 0, "cannot open file");
  int c;
  while ((c = bgzf_getc(f)) >= 0 && std::isspace(c)) {
  }
  bgzf_close(f);
  return c < 0 ? 0 : static_cast<char>(c);
}

}  // namespace

std::vector<NamedSequence> read_sequences(const std::string& path, const std::string& column) {
  if (!std::filesystem::exists(path)) throw InputError(path, 0, "no such file");
  if (std::filesystem::is_directory(path))
    throw InputError(path, 0, "is a directory, expected a file");
  std::vector<NamedSequence> out;
  const char first = first_char(path);
  if (first == 0)
    throw InputError(path, 0,
                     "empty file (expected FASTA or a table with a '" + column + "' column)");
  if (first == '>') {
    io::FastaReader reader(path);
    io::FastaRecord record;
    while (reader.next(record)) {
      if (record.sequence.empty()) {
        throw InputError(path, record.header_line, "sequence '" + record.name + "' is empty");
      }
      out.push_back({record.name, std::move(record.sequence)});
    }
  } else {
    const auto table = io::Table::read(path);
    const auto col = table.column_index(column);
    for (size_t r = 0; r < table.num_rows(); ++r) {
      const auto& s = table.cell(r, col);
      if (s.empty())
        throw InputError(path, table.line_of(r), "empty sequence in column '" + column + "'");
      for (char c : s) {
        if (!io::is_nucleotide_code(c)) {
          throw InputError(path, table.line_of(r),
                           std::string("invalid character '") + c + "' in column '" + column +
                               "' (expected a nucleotide code: ACGTUN or IUPAC ambiguity letters)");
        }
      }
      out.push_back({std::to_string(r + 1), s});
    }
  }
  if (out.empty()) throw InputError(path, 0, "no sequences found");
  return out;
}

}  // namespace helix::data
