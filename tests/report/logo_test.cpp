#include "helix/report/logo.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "helix/util/error.hpp"

namespace helix::report {
namespace {

// Empty when `xml` is well-formed as far as a report needs: every start tag is closed in order
// (or self-closing), attribute values are quoted, and every '&' starts an entity. Otherwise a
// description of the first problem.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  for (size_t i = 0; i < xml.size(); ++i) {
    if (xml[i] == '&') {
      static const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+);");
      if (!std::regex_search(xml.substr(i, 8), entity)) return "bare '&' at " + std::to_string(i);
      continue;
    }
    if (xml[i] != '<') continue;
    size_t j = i + 1;
    char quote = 0;
    for (; j < xml.size(); ++j) {
      const char c = xml[j];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '<') {
        return "'<' inside a tag at " + std::to_string(j);
      } else if (c == '>') {
        break;
      }
    }
    if (j >= xml.size()) return "unterminated tag at " + std::to_string(i);
    const std::string tag = xml.substr(i + 1, j - i - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    const std::string name =
        tag.substr(closing ? 1 : 0, tag.find_first_of(" \t\n/", 1) - (closing ? 1 : 0));
    if (name.empty()) return "tag without a name at " + std::to_string(i);
    static const std::regex attributes(R"(^[A-Za-z][\w:-]*(\s+[\w:-]+="[^"]*")*\s*/?$)");
    if (!closing && !std::regex_match(tag, attributes)) return "bad attributes in <" + tag + ">";
    if (closing) {
      if (open.empty() || open.back() != name) return "unexpected </" + name + ">";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
    i = j;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

// One <path class="glyph"> of a logo.
struct Glyph {
  char base = '?';
  std::string fill;
  double bits = 0, x = 0, y = 0, width = 0, height = 0;
};

std::vector<Glyph> glyphs(const std::string& svg) {
  static const std::regex glyph(
      R"re(<path class="glyph" data-base="([ACGT])" data-bits="([0-9.]+)" fill="(#[0-9A-F]{6})" )re"
      R"re(fill-rule="evenodd" transform="translate\(([-0-9.]+),([-0-9.]+)\) )re"
      R"re(scale\(([-0-9.]+),([-0-9.]+)\)" d="[^"]+"/>)re");
  std::vector<Glyph> out;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), glyph); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    out.push_back({m[1].str()[0], m[3].str(), std::stod(m[2].str()), std::stod(m[4].str()),
                   std::stod(m[5].str()), std::stod(m[6].str()), std::stod(m[7].str())});
  }
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

TEST(LogoTest, InformationContentOfUniformAndOneHotColumns) {
  EXPECT_NEAR(information_content({0.25, 0.25, 0.25, 0.25}), 0.0, 1e-12);
  EXPECT_NEAR(information_content({0, 0, 0, 0}), 0.0, 1e-12);  // all zero = uniform
  EXPECT_NEAR(information_content({1, 0, 0, 0}), 2.0, 1e-12);
  EXPECT_NEAR(information_content({0, 0, 0, 7}), 2.0, 1e-12);  // normalised first
  EXPECT_NEAR(information_content({0.5, 0.5, 0, 0}), 1.0, 1e-12);
  EXPECT_NEAR(information_content({3, 1, 0, 0}), 2.0 - 0.811278124459133, 1e-12);
}

TEST(LogoTest, SmallSampleCorrectionIsOptionalAndClampedAtZero) {
  const double n = 10;
  EXPECT_NEAR(information_content({1, 0, 0, 0}, n), 2.0 - 3.0 / (2 * std::log(2.0) * n), 1e-12);
  EXPECT_DOUBLE_EQ(information_content({0.25, 0.25, 0.25, 0.25}, n), 0.0);
  EXPECT_DOUBLE_EQ(information_content({1, 0, 0, 0}, 0), 2.0);
}

TEST(LogoTest, RejectsNegativeOrNonFiniteEntries) {
  EXPECT_THROW(information_content({-0.1, 0.5, 0.3, 0.3}), Error);
  EXPECT_THROW(logo_svg({{0.25, 0.25, std::nan(""), 0.25}}), Error);
  LogoOptions bad;
  bad.column_width = 0;
  EXPECT_THROW(logo_svg({{1, 0, 0, 0}}, bad), Error);
}

TEST(LogoTest, UniformColumnDrawsNoGlyph) {
  const auto svg = logo_svg({{0.25, 0.25, 0.25, 0.25}, {0, 0, 0, 0}});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_TRUE(glyphs(svg).empty());
  EXPECT_EQ(count(svg, "<path"), 0u);
}

TEST(LogoTest, OneHotColumnDrawsOneFullHeightGlyphInItsColour) {
  LogoOptions options;
  options.height = 100;
  options.column_width = 20;
  const std::vector<std::pair<std::array<double, 4>, std::pair<char, std::string>>> cases = {
      {{1, 0, 0, 0}, {'A', "#109648"}},
      {{0, 1, 0, 0}, {'C', "#255C99"}},
      {{0, 0, 1, 0}, {'G', "#F7B32B"}},
      {{0, 0, 0, 1}, {'T', "#D62839"}},
  };
  for (const auto& [column, expected] : cases) {
    const auto svg = logo_svg({column}, options);
    EXPECT_EQ(xml_problem(svg), "");
    const auto drawn = glyphs(svg);
    ASSERT_EQ(drawn.size(), 1u) << expected.first;
    EXPECT_EQ(count(svg, "<path"), 1u);
    EXPECT_EQ(drawn[0].base, expected.first);
    EXPECT_EQ(drawn[0].fill, expected.second);
    EXPECT_DOUBLE_EQ(drawn[0].bits, 2.0);
    EXPECT_DOUBLE_EQ(drawn[0].height, 100.0);  // the full 2-bit plot height
    EXPECT_GT(drawn[0].width, 0.8 * 20);
    EXPECT_LE(drawn[0].width, 20.0);
  }
}

TEST(LogoTest, LettersStackByIncreasingProbabilityWithHeightsProportionalToBits) {
  LogoOptions options;
  options.height = 200;  // 100 px per bit
  // Unnormalised weights: A 0.1, C 0.2, G 0.7, T 0.
  const auto svg = logo_svg({{1, 2, 7, 0}}, options);
  ASSERT_EQ(xml_problem(svg), "");
  const auto drawn = glyphs(svg);
  ASSERT_EQ(drawn.size(), 3u);  // T has probability 0
  const double ic = information_content({0.1, 0.2, 0.7, 0});
  // Drawn bottom-up: A (smallest) at the bottom, then C, then G on top.
  EXPECT_EQ(drawn[0].base, 'A');
  EXPECT_EQ(drawn[1].base, 'C');
  EXPECT_EQ(drawn[2].base, 'G');
  EXPECT_GT(drawn[0].y, drawn[1].y);
  EXPECT_GT(drawn[1].y, drawn[2].y);
  const std::array<double, 3> p = {0.1, 0.2, 0.7};
  double total = 0;
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(drawn[k].bits, p[k] * ic, 1e-4);
    EXPECT_NEAR(drawn[k].height, p[k] * ic * 100, 1e-3);
    total += drawn[k].height;
  }
  EXPECT_NEAR(total, ic * 100, 1e-2);
  // Stacked without gaps: each letter's top is the next one's bottom.
  EXPECT_NEAR(drawn[0].y - drawn[1].height, drawn[1].y, 2e-3);
  EXPECT_NEAR(drawn[1].y - drawn[2].height, drawn[2].y, 2e-3);
}

TEST(LogoTest, SvgIsStandaloneWithSizeAxisPositionsAndEscapedTitle) {
  LogoOptions options;
  options.column_width = 10;
  options.height = 50;
  options.title = "layer 3 <neuron 7> & \"friends\"";
  std::vector<std::array<double, 4>> rows = {{1, 0, 0, 0}, {0.4, 0.3, 0.2, 0.1}, {0, 0, 0.5, 0.5}};
  for (int i = 0; i < 20; ++i) rows.push_back({0.7, 0.1, 0.1, 0.1});
  const auto svg = logo_svg(rows, options);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", 0), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 "), std::string::npos);
  EXPECT_NE(svg.find("layer 3 &lt;neuron 7&gt; &amp; &quot;friends&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<neuron"), std::string::npos);
  // Axis ticks 0, 1, 2 and the "bits" label.
  EXPECT_NE(svg.find(">bits</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2</text>"), std::string::npos);
  // 23 columns of 10 px: numbers every 2nd position so that two-digit labels do not overlap.
  EXPECT_NE(svg.find(">22</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">23</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "<g class=\"column\">"), rows.size());
  // No external references of any kind.
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(svg.find("<image"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);

  options.show_axis = false;
  options.show_positions = false;
  options.title.clear();
  const auto bare = logo_svg(rows, options);
  EXPECT_EQ(xml_problem(bare), "");
  EXPECT_EQ(count(bare, "<text"), 0u);
  // Without axis and labels the logo is the columns plus a 4 px pad on each side.
  EXPECT_NE(bare.find("width=\"238\" height=\"58\" viewBox=\"0 0 238 58\""), std::string::npos);
}

TEST(LogoTest, EmptyMatrixGivesAnEmptyButValidSvg) {
  const auto svg = logo_svg({});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_TRUE(glyphs(svg).empty());
}

TEST(LogoTest, WellFormednessCheckerCatchesMistakes) {
  EXPECT_EQ(xml_problem("<svg><g><path d=\"M0 0\"/></g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><g></g>"), "");
  EXPECT_NE(xml_problem("<svg><text>a < b</text></svg>"), "");
  EXPECT_NE(xml_problem("<svg><text>a & b</text></svg>"), "");
  EXPECT_NE(xml_problem("<svg width=10></svg>"), "");
}

}  // namespace
}  // namespace helix::report
