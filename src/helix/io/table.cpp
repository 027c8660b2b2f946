#include "helix/io/table.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <unordered_set>

#include "helix/io/text_lines.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Delimiter implied by the file name, or 0 when the extension says nothing.
char delimiter_from_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* gz : {".gz", ".bgz"})
    if (ends_with(name, gz)) name.resize(name.size() - std::strlen(gz));
  for (const char* ext : {".tsv", ".tab", ".txt"})
    if (ends_with(name, ext)) return '\t';
  if (ends_with(name, ".csv")) return ',';
  return 0;
}

// Splits one record into fields, RFC 4180 style: a field that starts with '"' is quoted, "" in
// it is a literal quote, and it may span lines (pulled from `reader`). Quotes elsewhere are kept
// literally, as pandas and R do. The same rules apply to TSV, which pandas and R also quote.
std::vector<std::string> split_record(std::string_view line, char delim, TextLineReader& reader,
                                      const std::string& path) {
  const int64_t start_line = reader.line_number();
  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i == line.size()) {
          // The quoted field continues on the next line; the newline is part of the value.
          if (!reader.next(line))
            throw InputError(path, start_line, "unterminated quote (the field never closes)");
          field += '\n';
          i = 0;
          continue;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
    }
    // Unquoted text (or anything after a closing quote) runs to the next delimiter.
    const size_t end = std::min(line.find(delim, i), line.size());
    field.append(line.substr(i, end - i));
    fields.push_back(std::move(field));
    field.clear();
    if (end == line.size()) return fields;
    i = end + 1;
  }
}

}  // namespace

Table Table::read(const std::string& path) {
  TextLineReader reader(path);
  Table table;
  table.path_ = path;

  std::string_view line;
  bool have_header = false;
  while (!have_header && reader.next(line)) have_header = !line.empty();
  if (!have_header) throw InputError(path, 0, "empty file (expected a header row)");
  // Spreadsheet programs often prepend a UTF-8 byte order mark; it is not part of the name.
  if (reader.line_number() == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);

  char delim = delimiter_from_name(path);
  if (delim == 0) delim = line.find('\t') != std::string_view::npos ? '\t' : ',';

  const int64_t header_line = reader.line_number();
  table.header_line_ = header_line;
  table.columns_ = split_record(line, delim, reader, path);
  std::unordered_set<std::string> seen;
  for (const auto& name : table.columns_)
    if (!seen.insert(name).second)
      throw InputError(path, header_line, "duplicate column name '" + name + "'");

  while (reader.next(line)) {
    if (line.empty()) continue;
    const int64_t row_line = reader.line_number();
    auto fields = split_record(line, delim, reader, path);
    if (fields.size() != table.columns_.size())
      throw InputError(path, row_line,
                       "expected " + std::to_string(table.columns_.size()) +
                           " fields (as in the header), found " + std::to_string(fields.size()));
    table.rows_.push_back(std::move(fields));
    table.lines_.push_back(row_line);
  }
  return table;
}

size_t Table::column_index(const std::string& name) const {
  const auto it = std::find(columns_.begin(), columns_.end(), name);
  if (it != columns_.end()) return static_cast<size_t>(it - columns_.begin());
  std::string list;
  for (const auto& c : columns_) list += (list.empty() ? "" : ", ") + c;
  throw InputError(path_, header_line_, "no column '" + name + "'; columns are: " + list);
}

}  // namespace helix::io
