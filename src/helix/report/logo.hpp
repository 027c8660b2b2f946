// DNA sequence logos as standalone inline SVG for offline HTML reports: stack heights in bits of
// information content, letters drawn as filled paths (no fonts, scripts or external resources).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace helix::report {

struct LogoOptions {
  double column_width = 24.0;  // px per position
  double height = 96.0;        // px of the plot area, i.e. of a full 2-bit stack
  bool show_axis = true;       // y axis in bits with ticks at 0, 1 and 2
  bool show_positions = true;  // position numbers under the columns
  int first_position = 1;      // number of the first column when show_positions
  std::string title;           // drawn above the logo when not empty (escaped; widens the SVG)
  // Small-sample correction: when > 0, the number of sequences behind each column; the expected
  // entropy bias 3 / (2 ln 2 n) is subtracted from the information content (clamped at 0).
  double sample_size = 0.0;
};

// Information content in bits of one column of A, C, G, T weights: 2 - entropy of the column
// normalised to sum 1 (an all-zero column is uniform, so 0 bits; a one-hot column is 2 bits).
// With sample_size > 0 the small-sample correction of LogoOptions is applied. Throws
// helix::Error for a negative or non-finite entry.
double information_content(const std::array<double, 4>& column, double sample_size = 0.0);

// A sequence logo: one column per row of `probabilities` (A, C, G, T; rows are normalised, an
// all-zero row is uniform). Each column is a stack of total height IC bits with each letter p x IC
// tall, letters ordered by increasing probability so that the most likely base is on top, in the
// usual colours (A #109648, C #255C99, G #F7B32B, T #D62839). Letters too small to see are left
// out. Each letter is a <path class="glyph" data-base=".." data-bits=".." fill=".."> of a unit-box
// outline placed by transform="translate(x,y) scale(w,h)". Returns one <svg> element with width,
// height and viewBox. Throws helix::Error for a negative or non-finite entry or bad options.
std::string logo_svg(const std::vector<std::array<double, 4>>& probabilities,
                     const LogoOptions& options = {});

}  // namespace helix::report
