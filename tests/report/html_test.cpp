#include "helix/report/html.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "helix/report/logo.hpp"
#include "helix/util/error.hpp"

namespace helix::report {
namespace {

namespace fs = std::filesystem;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

// Empty when every element of the page is closed in order (void elements such as <meta> need no
// end tag; <style> content is skipped); otherwise the first problem.
std::string unbalanced(const std::string& html) {
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    const size_t end = html.find('>', i);
    if (end == std::string::npos) return "unterminated tag";
    const std::string tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '!') continue;  // <!DOCTYPE html>
    const bool closing = tag[0] == '/';
    const std::string name =
        tag.substr(closing ? 1 : 0, tag.find_first_of(" \t\n/", 1) - (closing ? 1 : 0));
    if (closing) {
      if (open.empty() || open.back() != name) return "unexpected </" + name + ">";
      open.pop_back();
    } else if (tag.back() != '/' && name != "meta") {
      open.push_back(name);
      if (name == "style") i = html.find("</style>", i);
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

TEST(HtmlTest, EscapesMarkupCharactersAndQuotes) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text, UTF-8 \xc3\xa9 and 1 < 2"),
            "plain text, UTF-8 \xc3\xa9 and 1 &lt; 2");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");  // no double-escaping guesswork
  EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlTest, PageIsSelfContainedWithEscapedTitleAndContentInOrder) {
  HtmlPage page("Layer <3> & neurons");
  page.add_heading("Summary & scope")
      .add_paragraph("p < 0.05 for \"all\" neurons")
      .add_raw("<div class=\"note\">raw <b>bold</b></div>")
      .add_section("Logos", "<p>inside</p>")
      .add_heading("deep", 9);
  const auto html = page.str();
  EXPECT_EQ(page.title(), "Layer <3> & neurons");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<title>Layer &lt;3&gt; &amp; neurons</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>Layer &lt;3&gt; &amp; neurons</h1>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Summary &amp; scope</h2>"), std::string::npos);
  EXPECT_NE(html.find("<p>p &lt; 0.05 for &quot;all&quot; neurons</p>"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"note\">raw <b>bold</b></div>"), std::string::npos);
  EXPECT_NE(html.find("<section>\n<h2>Logos</h2>\n<p>inside</p>\n</section>"), std::string::npos);
  EXPECT_NE(html.find("<h6>deep</h6>"), std::string::npos);  // level clamped
  EXPECT_LT(html.find("Summary"), html.find("raw <b>"));
  EXPECT_LT(html.find("raw <b>"), html.find("<h2>Logos"));
  // Inline CSS only; nothing that would need the network.
  EXPECT_NE(html.find("<style>"), std::string::npos);
  for (const char* external : {"<script", "<link", "@import", "url(", "src=", "http"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_EQ(unbalanced(html), "");
}

TEST(HtmlTest, TableHasOneRowPerEntryWithEscapedCellsAndRawColumns) {
  HtmlPage page("t");
  const std::string svg = logo_svg({{1, 0, 0, 0}, {0, 0, 0.5, 0.5}});
  page.add_table({"neuron", "logo", "score"},
                 {{"n<1>", svg, "0.75"}, {"<b>n&2</b>", "<i>raw</i>", "-1e-3"}, {"short"}},
                 /*raw_columns=*/{1});
  const auto html = page.str();
  EXPECT_EQ(count(html, "<table>"), 1u);
  EXPECT_EQ(count(html, "<tr>"), 4u);  // header + 3 rows
  EXPECT_EQ(count(html, "<th>"), 3u);
  EXPECT_EQ(count(html, "<td"), 9u);  // the short row is padded
  EXPECT_NE(html.find("<td>n&lt;1&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>" + svg + "</td>"), std::string::npos);  // raw column as is
  EXPECT_NE(html.find("<td>&lt;b&gt;n&amp;2&lt;/b&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("<td><i>raw</i></td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">0.75</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">-1e-3</td>"), std::string::npos);
  EXPECT_EQ(unbalanced(html), "");

  HtmlPage empty("e");
  empty.add_table({"a", "b"}, {});
  EXPECT_EQ(count(empty.str(), "<tr>"), 1u);
  EXPECT_THROW(empty.add_table({"a"}, {{"1", "2"}}), Error);
}

TEST(HtmlTest, TablesAndBodiesNestInOtherPages) {
  const auto table = html_table({"a", "b"}, {{"x<y", "<i>1</i>"}}, {1});
  EXPECT_EQ(table.rfind("<div class=\"table-wrap\">", 0), 0u);
  EXPECT_NE(table.find("<td>x&lt;y</td><td><i>1</i></td>"), std::string::npos);
  EXPECT_EQ(unbalanced(table), "");

  HtmlPage part("");
  part.add_heading("inner", 3).add_table({"a", "b"}, {{"x<y", "<i>1</i>"}}, {1});
  EXPECT_EQ(part.body(), "<h3>inner</h3>\n" + table);
  EXPECT_EQ(part.str().find("<h1>"), std::string::npos);  // no empty h1 for an untitled page
  HtmlPage page("outer");
  page.add_section("Neuron 3", part.body());
  EXPECT_NE(page.str().find("<h2>Neuron 3</h2>\n<h3>inner</h3>"), std::string::npos);
  EXPECT_EQ(unbalanced(page.str()), "");
}

TEST(HtmlTest, BalanceCheckerCatchesMistakes) {
  EXPECT_EQ(unbalanced("<div><p>x</p><meta charset=\"utf-8\"><br/></div>"), "");
  EXPECT_NE(unbalanced("<div><p>x</div>"), "");
  EXPECT_NE(unbalanced("<div>"), "");
}

TEST(HtmlTest, WriteHtmlWritesTheFileAtomically) {
  test::TempDir dir("helix_html");
  const auto path = (dir / "report.html").string();
  HtmlPage page("first");
  page.add_paragraph("one");
  write_html(path, page);
  ASSERT_TRUE(fs::exists(path));
  const auto read = [&] {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  EXPECT_EQ(read(), page.str());

  HtmlPage second("second");
  second.add_table({"x"}, {{"1"}, {"2"}});
  write_html(path, second);  // replaces the previous report
  EXPECT_EQ(read(), second.str());
  // Only the report is left in the directory: no temporaries.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "report.html");
  }
  EXPECT_EQ(files, 1u);

  EXPECT_THROW(write_html((dir / "missing" / "r.html").string(), page), std::exception);
  EXPECT_FALSE(fs::exists(dir / "missing"));
}

}  // namespace
}  // namespace helix::report
