#include "helix/report/logo.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <locale>
#include <sstream>

#include "helix/report/html.hpp"
#include "helix/util/error.hpp"

namespace helix::report {

namespace {

using Column = std::array<double, 4>;

constexpr std::array<char, 4> kBases = {'A', 'C', 'G', 'T'};
constexpr std::array<const char*, 4> kColours = {"#109648", "#255C99", "#F7B32B", "#D62839"};

// Glyph outlines in a unit box (x right, y down, the letter touching all four sides), filled with
// the even-odd rule. C and G are rings (outer radius 0.5, inner 0.28) open on the right; G adds
// its bar; A has its counter as a second subpath.
constexpr std::array<const char*, 4> kGlyphs = {
    "M0 1L0.39 0H0.61L1 1H0.77L0.68 0.74H0.32L0.23 1ZM0.385 0.56H0.615L0.5 0.22Z",
    "M0.883 0.179A0.5 0.5 0 1 0 0.883 0.821L0.714 0.68A0.28 0.28 0 1 1 0.714 0.32Z",
    "M0.883 0.179A0.5 0.5 0 1 0 1 0.5H0.55V0.64H0.742A0.28 0.28 0 1 1 0.714 0.32Z",
    "M0 0H1V0.2H0.6V1H0.4V0.2H0Z",
};

// Letters shorter than this (px) are invisible and left out.
constexpr double kMinGlyphPx = 0.05;

// Layout (px).
constexpr double kPad = 4.0;
constexpr double kAxisWidth = 34.0;
constexpr double kTitleHeight = 18.0;
constexpr double kPositionsHeight = 16.0;
constexpr double kFontPx = 10.0;

// Locale-independent fixed notation with at most `decimals` decimals, trailing zeros removed.
std::string num(double v, int decimals = 3) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << v;
  std::string s = out.str();
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// The column divided by its sum; all zeros -> uniform. Throws for negative or non-finite entries.
Column normalise(const Column& column) {
  double sum = 0.0;
  for (const double v : column) {
    if (!std::isfinite(v) || v < 0) {
      throw Error("sequence logo: column entry " + num(v, 6) + " is negative or not finite");
    }
    sum += v;
  }
  if (!std::isfinite(sum)) throw Error("sequence logo: column sum is not finite");
  if (sum <= 0) return {0.25, 0.25, 0.25, 0.25};
  Column p;
  for (size_t b = 0; b < 4; ++b) p[b] = column[b] / sum;
  return p;
}

// IC of an already normalised column.
double normalised_information(const Column& p, double sample_size) {
  double entropy = 0.0;
  for (const double v : p) {
    if (v > 0) entropy -= v * std::log2(v);
  }
  double ic = 2.0 - entropy;
  if (sample_size > 0) ic -= 3.0 / (2.0 * std::log(2.0) * sample_size);
  return std::clamp(ic, 0.0, 2.0);
}

// Every `step`-th position is numbered, with step from 1, 2, 5, 10, 20, 50, ... so that labels of
// `digits` characters do not overlap.
int64_t label_step(double column_width, size_t digits) {
  const double needed = static_cast<double>(digits) * kFontPx * 0.6 + 3.0;
  for (int64_t scale = 1;; scale *= 10) {
    for (const int64_t m : {1, 2, 5}) {
      if (static_cast<double>(m * scale) * column_width >= needed || scale > 1000000000) {
        return m * scale;
      }
    }
  }
}

}  // namespace

double information_content(const std::array<double, 4>& column, double sample_size) {
  return normalised_information(normalise(column), sample_size);
}

std::string logo_svg(const std::vector<std::array<double, 4>>& probabilities,
                     const LogoOptions& options) {
  const double cw = options.column_width;
  const double plot_h = options.height;
  if (!(cw > 0) || !std::isfinite(cw) || !(plot_h > 0) || !std::isfinite(plot_h)) {
    throw Error("sequence logo: column_width and height must be positive");
  }
  const size_t n = probabilities.size();
  const double left = options.show_axis ? kAxisWidth : kPad;
  // The "2" tick label is centred on the top edge of the plot: leave it room.
  const double top =
      (options.show_axis ? kPad + 2 : kPad) + (options.title.empty() ? 0.0 : kTitleHeight);
  const double bottom = options.show_positions ? kPositionsHeight : kPad;
  const double plot_w = cw * static_cast<double>(n);
  // Wide enough for the title too (about 7 px per character at 12 px).
  const double title_w = 7.0 * static_cast<double>(options.title.size());
  const double width = std::max(left + plot_w, left + title_w) + kPad;
  const double height = top + plot_h + bottom;
  const double base_y = top + plot_h;

  std::string svg;
  svg.reserve(400 + n * 700);
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width, 2) + "\" height=\"" +
         num(height, 2) + "\" viewBox=\"0 0 " + num(width, 2) + " " + num(height, 2) +
         "\" role=\"img\" aria-label=\"" +
         html_escape(options.title.empty() ? "sequence logo" : options.title) + "\">\n";

  // Text (title, axis, positions) in the browser's default sans-serif; letters are paths.
  svg += "<g font-family=\"sans-serif\" font-size=\"" + num(kFontPx) + "\" fill=\"#333\">\n";
  if (!options.title.empty()) {
    svg += "<text x=\"" + num(left) + "\" y=\"" + num(kPad + 12) +
           "\" font-size=\"12\" font-weight=\"600\">" + html_escape(options.title) + "</text>\n";
  }
  if (options.show_axis) {
    const double x = left - 3;
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(base_y) + "\" stroke=\"#555\" stroke-width=\"1\"/>\n";
    for (int bits = 0; bits <= 2; ++bits) {
      const double y = base_y - plot_h * bits / 2.0;
      svg += "<line x1=\"" + num(x - 4) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x) + "\" y2=\"" +
             num(y) + "\" stroke=\"#555\" stroke-width=\"1\"/>\n";
      svg += "<text x=\"" + num(x - 6) + "\" y=\"" + num(y) +
             "\" dy=\"0.35em\" text-anchor=\"end\">" + std::to_string(bits) + "</text>\n";
    }
    svg += "<text transform=\"translate(" + num(9) + "," + num(top + plot_h / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">bits</text>\n";
  }
  if (n > 0) {
    svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(base_y) + "\" x2=\"" + num(left + plot_w) +
           "\" y2=\"" + num(base_y) + "\" stroke=\"#bbb\" stroke-width=\"1\"/>\n";
  }
  if (options.show_positions && n > 0) {
    const int64_t first = options.first_position;
    const int64_t last = first + static_cast<int64_t>(n) - 1;
    const size_t digits = std::max(std::to_string(first).size(), std::to_string(last).size());
    const int64_t step = label_step(cw, digits);
    for (size_t i = 0; i < n; ++i) {
      const int64_t position = first + static_cast<int64_t>(i);
      if (step > 1 && position % step != 0) continue;
      const double x = left + cw * (static_cast<double>(i) + 0.5);
      svg += "<text x=\"" + num(x) + "\" y=\"" + num(base_y + 12) + "\" text-anchor=\"middle\">" +
             std::to_string(position) + "</text>\n";
    }
  }
  svg += "</g>\n";

  // The stacks.
  const double glyph_w = cw * 0.92;
  const double glyph_dx = (cw - glyph_w) / 2;
  for (size_t i = 0; i < n; ++i) {
    const Column p = normalise(probabilities[i]);
    const double ic = normalised_information(p, options.sample_size);
    std::array<size_t, 4> order = {0, 1, 2, 3};
    // Increasing probability from the bottom up; ties keep A, C, G, T order.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    svg += "<g class=\"column\"><title>position " +
           std::to_string(options.first_position + static_cast<int64_t>(i)) + ": A " +
           num(p[0], 2) + ", C " + num(p[1], 2) + ", G " + num(p[2], 2) + ", T " + num(p[3], 2) +
           "; " + num(ic, 2) + " bits</title>";
    const double x = left + cw * static_cast<double>(i) + glyph_dx;
    double y_bottom = base_y;
    for (const size_t b : order) {
      const double bits = p[b] * ic;
      const double h = bits / 2.0 * plot_h;
      if (h < kMinGlyphPx) continue;
      const double y = y_bottom - h;
      svg += "<path class=\"glyph\" data-base=\"";
      svg += kBases[b];
      svg += "\" data-bits=\"" + num(bits, 4) + "\" fill=\"" + kColours[b] +
             "\" fill-rule=\"evenodd\" transform=\"translate(" + num(x) + "," + num(y) +
             ") scale(" + num(glyph_w, 4) + "," + num(h, 4) + ")\" d=\"" + kGlyphs[b] + "\"/>";
      y_bottom = y;
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace helix::report
