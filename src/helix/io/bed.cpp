#include "helix/io/bed.hpp"

#include <cctype>
#include <charconv>
#include <string_view>

#include "helix/io/text_lines.hpp"
#include "helix/util/error.hpp"

namespace helix::io {
namespace {

bool is_blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  if (line.find('\t') != std::string_view::npos) {
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      std::string_view field = line.substr(start, tab - start);
      while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
      while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
      fields.push_back(field);
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    return fields;
  }
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.substr(0, word.size()) == word &&
         (line.size() == word.size() || is_blank(line[word.size()]));
}

int64_t parse_coordinate(const std::string& path, int64_t line_no, const char* what,
                         std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw InputError(path, line_no,
                     std::string(what) + " '" + std::string(text) + "' is not an integer");
  }
  if (value < 0) {
    throw InputError(path, line_no,
                     std::string(what) + " " + std::to_string(value) + " is negative");
  }
  return value;
}

}  // namespace

std::vector<BedInterval> read_bed(const std::string& path) {
  TextLineReader lines(path);
  std::vector<BedInterval> intervals;
  std::string_view line;
  while (lines.next(line)) {
    const int64_t line_no = lines.line_number();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#' || starts_with_word(line, "track") ||
        starts_with_word(line, "browser")) {
      continue;
    }
    const auto fields = split_fields(line);
    if (fields.size() < 3) {
      throw InputError(
          path, line_no,
          "expected at least 3 fields (chrom, start, end), found " + std::to_string(fields.size()));
    }
    if (fields[0].empty()) throw InputError(path, line_no, "empty chromosome name");
    BedInterval interval;
    interval.chrom = std::string(fields[0]);
    interval.start = parse_coordinate(path, line_no, "start", fields[1]);
    interval.end = parse_coordinate(path, line_no, "end", fields[2]);
    if (interval.start > interval.end) {
      throw InputError(path, line_no,
                       "start " + std::to_string(interval.start) + " is greater than end " +
                           std::to_string(interval.end));
    }
    if (fields.size() > 3) interval.name = std::string(fields[3]);
    intervals.push_back(std::move(interval));
  }
  return intervals;
}

}  // namespace helix::io
