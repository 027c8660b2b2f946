// Delimited text tables with a header row: CSV or TSV, chosen by extension (.tsv/.tab/.txt -> tab,
// .csv -> comma, also under .gz) or else by the header line (tab if it has one). Both use RFC 4180
// quoting, as pandas and R read them: a field starting with '"' is quoted, may hold delimiters and
// newlines, and "" in it is one quote. Gzip/bgzip input is read transparently. Empty lines are
// skipped; a trailing \r and a leading UTF-8 byte order mark are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace helix::io {

class Table {
 public:
  // Reads the whole table. Throws InputError (file, line) for a missing file, an empty file,
  // a row with a different number of fields than the header, an unterminated quote (at the line
  // where it opens) or a duplicate column name.
  static Table read(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& columns() const { return columns_; }
  // Index of a column; throws InputError naming the file and its header line, and listing the
  // columns it has.
  size_t column_index(const std::string& name) const;
  size_t num_rows() const { return rows_.size(); }
  const std::vector<std::string>& row(size_t i) const { return rows_[i]; }
  const std::string& cell(size_t row, size_t column) const { return rows_[row][column]; }
  // 1-based line in the file where row i starts (for error messages).
  int64_t line_of(size_t row) const { return lines_[row]; }

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int64_t> lines_;
  int64_t header_line_ = 1;
};

}  // namespace helix::io
