// UCSC 2bit genomes (https://genome.ucsc.edu/FAQ/FAQformat.html#format7), read from disk on
// demand: opening reads the header, the index and each sequence's N blocks; fetch() reads and
// decodes only the packed bytes of the requested range. Either byte order; version 0 (32-bit
// offsets) and 1 (64-bit offsets).
#pragma once

#include <memory>
#include <string>

#include "helix/io/genome.hpp"

namespace helix::io {

// True if the file starts with the 2bit signature 0x1A412743 in either byte order.
bool has_twobit_magic(const std::string& path);

class TwoBitReader final : public GenomeReader {
 public:
  // Throws InputError for a missing, unreadable, truncated or malformed file, or duplicate names.
  explicit TwoBitReader(const std::string& path);
  ~TwoBitReader() override;
  TwoBitReader(const TwoBitReader&) = delete;
  TwoBitReader& operator=(const TwoBitReader&) = delete;

  const std::vector<SequenceInfo>& sequences() const override;
  // Upper case: soft-masked (lowercase) blocks are not applied; N blocks are.
  std::string fetch(const std::string& name, int64_t start, int64_t end) override;
  std::unique_ptr<GenomeReader> clone() const override;
  const std::string& path() const override { return path_; }

  struct Index;  // immutable after open; shared by clones

 private:
  TwoBitReader(std::string path, std::shared_ptr<const Index> index);
  std::string path_;
  std::shared_ptr<const Index> index_;
  int fd_ = -1;
};

}  // namespace helix::io
