#include "helix/report/plot.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "helix/util/error.hpp"

namespace helix::report {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Plot, LearningCurvesHaveOnePolylinePerSeriesAndDecadeTicks) {
  const PlotSeries a{
      "IsoCLR <pretrained>", {100, 300, 1000, 3000}, {0.1, 0.2, 0.3, 0.4}, {0.01, 0.02, 0.01, 0.0}};
  const PlotSeries b{"k-mer", {100, 300, 1000, 3000}, {0.05, NAN, 0.25, 0.35}, {}};
  PlotOptions o;
  o.log_x = true;
  o.title = "Siegel 2022";
  o.x_label = "training sequences";
  o.y_label = "Pearson r";
  const auto svg = line_plot_svg({a, b}, o);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(count(svg, "<circle"), 7u);  // the NaN point is left out
  EXPECT_NE(svg.find("IsoCLR &lt;pretrained&gt;"), std::string::npos);
  for (const char* tick : {">100<", ">300<", ">1000<", ">3000<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  // Points move right as x grows (log axis): the first polyline's x coordinates increase.
  const auto start = svg.find("points=\"", svg.find("<polyline")) + 8;
  std::stringstream points(svg.substr(start, svg.find('"', start) - start));
  double previous = -1, x = 0, y = 0;
  char comma = 0;
  while (points >> x >> comma >> y) {
    EXPECT_GT(x, previous);
    previous = x;
  }
}

TEST(Plot, BadSeriesAreErrors) {
  EXPECT_THROW(line_plot_svg({{"s", {1, 2}, {1}, {}}}, {}), Error);
  EXPECT_THROW(line_plot_svg({{"s", {1}, {NAN}, {}}}, {}), Error);
  PlotOptions log;
  log.log_x = true;
  EXPECT_THROW(line_plot_svg({{"s", {0, 1}, {1, 2}, {}}}, log), Error);
}

}  // namespace
}  // namespace helix::report
