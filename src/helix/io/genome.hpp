// Random access to the sequences of a genome file, without loading it into memory where the
// format allows: FASTA (plain, or bgzip with .fai/.gzi; indexes are built when missing and the
// directory is writable), plain-gzip FASTA (no random access possible: loaded into memory with a
// warning suggesting bgzip), and UCSC 2bit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace helix::io {

struct SequenceInfo {
  std::string name;
  int64_t length = 0;
};

class GenomeReader {
 public:
  virtual ~GenomeReader() = default;
  // Sequences in file order. Empty FASTA records are listed with length 0.
  virtual const std::vector<SequenceInfo>& sequences() const = 0;
  // Bases [start, end) of sequence `name`, upper-cased, N and IUPAC codes kept as stored.
  // Throws InputError for an unknown name or a range outside the sequence (start == end gives
  // ""), and for a non-nucleotide character in the returned bases (indexed FASTA is not scanned
  // at open).
  virtual std::string fetch(const std::string& name, int64_t start, int64_t end) = 0;
  // An independent handle on the same file, for use from another thread (handles are not
  // thread-safe; clones are).
  virtual std::unique_ptr<GenomeReader> clone() const = 0;
  virtual const std::string& path() const = 0;
};

// Opens a genome by content (2bit magic, gzip/bgzf magic, else plain FASTA). Throws InputError
// naming the file for a missing or unreadable file, an empty FASTA, duplicate sequence names, or
// a malformed file.
//
// FASTA goes through htslib faidx; an index older than the FASTA is rebuilt, and every index is
// checked against the file's layout (faidx silently drops repeated names and empty records).
// When faidx cannot serve the file (index not writable, lines of unequal length within a record,
// empty records, an index that does not match), it is loaded into memory instead, with a warning.
std::unique_ptr<GenomeReader> open_genome(const std::string& path);

// For GenomeReader implementations: sequence names and lengths in file order, with lookup.
class SequenceCatalog {
 public:
  // Appends a sequence; returns false (and adds nothing) if the name is already present.
  bool add(std::string name, int64_t length);
  // Position of `name` in file order, or -1.
  int64_t find(const std::string& name) const;
  // Position of `name` after checking 0 <= start <= end <= length; throws InputError naming
  // `path` for an unknown name or a bad range.
  size_t locate(const std::string& path, const std::string& name, int64_t start, int64_t end) const;
  const std::vector<SequenceInfo>& sequences() const { return sequences_; }

 private:
  std::vector<SequenceInfo> sequences_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace helix::io
