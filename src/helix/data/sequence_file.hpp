// Reads the sequences of a FASTA (plain or gzip) or a CSV/TSV table with a sequence column, in
// file order, validating every character.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace helix::data {

struct NamedSequence {
  std::string name;
  std::string sequence;
  int64_t line = 0;  // 1-based: the FASTA header or the table row
};

// Format by content: a file whose first non-blank character is '>' is FASTA, anything else a
// table with a header. Throws InputError (file, line) for an empty file, an empty sequence, a
// non-nucleotide character, or a missing column.
std::vector<NamedSequence> read_sequences(const std::string& path,
                                          const std::string& column = "sequence");

}  // namespace helix::data
