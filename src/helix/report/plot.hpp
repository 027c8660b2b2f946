// Line plots as standalone SVG (no fonts beyond the viewer's default sans-serif, no scripts):
// used for low-data learning curves, where each series is a metric's mean over seeds with a
// +/- one standard deviation bar at each training-set size.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace helix::report {

struct PlotSeries {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> error;  // half-length of the error bar at each point; empty: none
};

struct PlotOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_x = false;
  double width = 640;   // px, whole image
  double height = 400;  // px, whole image
};

// One <svg> element: axes with ticks (decades on a log axis, 5-6 round values otherwise), a
// polyline with dots and error bars per series in a fixed colour cycle, and a legend. Points with
// a non-finite y are left out. Throws helix::Error for series whose lengths disagree, no finite
// point at all, or non-positive x on a log axis.
std::string line_plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& options);

// The low-data curve of a `helix probe` metrics.json as a series: x the training-set sizes of
// "curve" plus the whole training split ("n_train", scored in "test"), y the metric's mean over
// seeds, error its standard deviation. Throws helix::Error when the metrics hold no curve or
// not that metric.
PlotSeries curve_series(const nlohmann::json& probe_metrics, const std::string& metric,
                        const std::string& name);

}  // namespace helix::report
