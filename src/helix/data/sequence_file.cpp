#include "helix/data/sequence_file.hpp"

#include "helix/io/fasta.hpp"
#include "helix/io/table.hpp"
#include "helix/util/error.hpp"

namespace helix::data {

std::vector<NamedSequence> read_sequences(const std::string& path, const std::string& column) {
  io::require_readable_file(path);
  std::vector<NamedSequence> out;
  if (io::starts_like_fasta(path, "FASTA or a table with a '" + column + "' column")) {
    io::FastaReader reader(path);
    io::FastaRecord record;
    while (reader.next(record)) {
      if (record.sequence.empty()) {
        throw InputError(path, record.header_line, "sequence '" + record.name + "' is empty");
      }
      out.push_back({record.name, std::move(record.sequence), record.header_line});
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
      out.push_back({std::to_string(r + 1), s, table.line_of(r)});
    }
  }
  if (out.empty()) throw InputError(path, 0, "no sequences found");
  return out;
}

}  // namespace helix::data
