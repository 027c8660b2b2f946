// BED intervals (BED3 and up; extra columns beyond the name are ignored). Plain, gzip or bgzip.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace helix::io {

struct BedInterval {
  std::string chrom;
  int64_t start = 0;  // 0-based
  int64_t end = 0;    // exclusive
  std::string name;   // 4th column, empty when absent
};

// Reads every interval in file order. Fields are tab-separated when the line has a tab (so names
// may contain spaces), else whitespace-separated. Blank lines and lines starting with '#',
// "track" or "browser" are skipped. Throws InputError (file, line) for a missing file, fewer than
// 3 fields, a coordinate that is not a non-negative integer, or start > end.
std::vector<BedInterval> read_bed(const std::string& path);

}  // namespace helix::io
