// Self-contained HTML pages for offline reports: one file with inline CSS and no scripts, fonts or
// other external resources, so that it opens in a browser without a network. Content is added in
// order as headings, paragraphs, tables (escaped cells, optionally raw HTML such as an inline SVG
// logo) and raw HTML sections.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace helix::report {

// Escapes text for HTML/XML element content and quoted attribute values: & < > " ' become
// &amp; &lt; &gt; &quot; &#39;. Everything else (UTF-8 included) passes through unchanged.
std::string html_escape(std::string_view text);

// A <table> (wrapped in a horizontally scrolling <div>) with one header row and one row per
// element of `rows`. Cells are escaped, except in the columns listed in raw_columns (0-based),
// whose cells are inserted as raw HTML (e.g. the <svg> of logo_svg). Cells that look like numbers
// are right-aligned. Throws helix::Error when a row has more cells than there are headers
// (shorter rows are padded with empty cells).
std::string html_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<size_t>& raw_columns = {});

class HtmlPage {
 public:
  explicit HtmlPage(std::string title);

  const std::string& title() const { return title_; }

  // <hN> with escaped text; level is clamped to 1..6 (the page title is the only h1 by default).
  HtmlPage& add_heading(std::string_view text, int level = 2);
  // <p> with escaped text.
  HtmlPage& add_paragraph(std::string_view text);
  // HTML inserted as is (the caller is responsible for it being well-formed and escaped).
  HtmlPage& add_raw(std::string html);
  // <section> with an escaped <h2> heading followed by `html` as is.
  HtmlPage& add_section(std::string_view heading, std::string html);
  // Appends html_table(headers, rows, raw_columns).
  HtmlPage& add_table(const std::vector<std::string>& headers,
                      const std::vector<std::vector<std::string>>& rows,
                      const std::vector<size_t>& raw_columns = {});

  // The complete document: <!DOCTYPE html>, <head> with charset, title and inline CSS, <body>
  // with the title (when not empty) as <h1> then the content in the order it was added.
  std::string str() const;
  // The content added so far, without the document around it (to nest it in another page).
  const std::string& body() const { return body_; }

 private:
  std::string title_;
  std::string body_;
};

// Writes page.str() to `path` atomically (helix::write_file_atomic).
void write_html(const std::string& path, const HtmlPage& page);

}  // namespace helix::report
