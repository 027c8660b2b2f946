#include "helix/report/html.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "helix/util/atomic_file.hpp"
#include "helix/util/error.hpp"

namespace helix::report {

namespace {

// Readable defaults; tables scroll horizontally rather than overflowing the page, and wide logos
// keep their pixel size.
constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
body {
  margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.5; color: #1f2328; background: #ffffff;
}
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.6em 0 0.6em; }
h1 { font-size: 1.8rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.3em; }
h2 { font-size: 1.4rem; border-bottom: 1px solid #eaeef2; padding-bottom: 0.2em; }
h3 { font-size: 1.15rem; }
p { margin: 0.6em 0; }
section { margin: 1.5em 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; border-radius: 4px; }
.table-wrap { overflow-x: auto; margin: 1em 0; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 0.35em 0.7em; text-align: left; vertical-align: middle; }
th { background: #f6f8fa; font-weight: 600; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fafbfc; }
tbody tr:hover { background: #f1f5fb; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td svg { display: block; }
svg { max-width: none; }
)css";

// True for cells in plain decimal notation such as "12", "-0.5" or "1e-3" (not "inf", "nan" or
// hexadecimal, which strtod would also accept).
bool looks_numeric(const std::string& cell) {
  if (cell.empty() || cell.size() > 40) return false;
  if (cell.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  const char* begin = cell.c_str();
  char* end = nullptr;
  std::strtod(begin, &end);
  return end == begin + cell.size();
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<size_t>& raw_columns) {
  const auto is_raw = [&](size_t column) {
    return std::find(raw_columns.begin(), raw_columns.end(), column) != raw_columns.end();
  };
  std::string html = "<div class=\"table-wrap\">\n<table>\n<thead>\n<tr>";
  for (const auto& h : headers) html += "<th>" + html_escape(h) + "</th>";
  html += "</tr>\n</thead>\n<tbody>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() > headers.size()) {
      throw Error("html_table: row " + std::to_string(r + 1) + " has " +
                  std::to_string(row.size()) + " cells for " + std::to_string(headers.size()) +
                  " headers");
    }
    html += "<tr>";
    for (size_t c = 0; c < headers.size(); ++c) {
      if (c >= row.size()) {
        html += "<td></td>";
      } else if (is_raw(c)) {
        html += "<td>" + row[c] + "</td>";
      } else if (looks_numeric(row[c])) {
        html += "<td class=\"num\">" + html_escape(row[c]) + "</td>";
      } else {
        html += "<td>" + html_escape(row[c]) + "</td>";
      }
    }
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n</div>\n";
  return html;
}

HtmlPage::HtmlPage(std::string title) : title_(std::move(title)) {}

HtmlPage& HtmlPage::add_heading(std::string_view text, int level) {
  const std::string n = std::to_string(std::clamp(level, 1, 6));
  body_ += "<h" + n + ">" + html_escape(text) + "</h" + n + ">\n";
  return *this;
}

HtmlPage& HtmlPage::add_paragraph(std::string_view text) {
  body_ += "<p>" + html_escape(text) + "</p>\n";
  return *this;
}

HtmlPage& HtmlPage::add_raw(std::string html) {
  body_ += html;
  if (!html.empty() && html.back() != '\n') body_ += '\n';
  return *this;
}

HtmlPage& HtmlPage::add_section(std::string_view heading, std::string html) {
  body_ += "<section>\n<h2>" + html_escape(heading) + "</h2>\n";
  add_raw(std::move(html));
  body_ += "</section>\n";
  return *this;
}

HtmlPage& HtmlPage::add_table(const std::vector<std::string>& headers,
                              const std::vector<std::vector<std::string>>& rows,
                              const std::vector<size_t>& raw_columns) {
  body_ += html_table(headers, rows, raw_columns);
  return *this;
}

std::string HtmlPage::str() const {
  std::string out;
  out.reserve(body_.size() + 2048);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + html_escape(title_) + "</title>\n";
  out += "<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  if (!title_.empty()) out += "<h1>" + html_escape(title_) + "</h1>\n";
  out += body_;
  out += "</body>\n</html>\n";
  return out;
}

void write_html(const std::string& path, const HtmlPage& page) {
  write_file_atomic(path, page.str());
}

}  // namespace helix::report
