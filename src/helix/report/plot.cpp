#include "helix/report/plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "helix/report/html.hpp"
#include "helix/util/error.hpp"

namespace helix::report {
namespace {

const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

// Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> linear_ticks(double lo, double hi) {
  const double span = hi - lo;
  const double raw = span / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (span / step <= 6) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) {
    ticks.push_back(std::abs(t) < 1e-12 * step ? 0.0 : t);
  }
  return ticks;
}

std::string number(double v) {
  // Whole numbers in full (10000, not 1e+04); others with 4 significant digits.
  if (std::abs(v) < 1e9 && v == std::round(v)) return std::to_string(static_cast<int64_t>(v));
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

}  // namespace

std::string line_plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& o) {
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
  double y_lo = x_lo, y_hi = -x_lo;
  for (const auto& s : series) {
    if (s.x.size() != s.y.size() || (!s.error.empty() && s.error.size() != s.y.size())) {
      throw Error("plot series '" + s.name + "': x, y and error lengths differ");
    }
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      if (o.log_x && !(s.x[i] > 0)) {
        throw Error("plot series '" + s.name + "': x must be positive on a log axis");
      }
      const double e = s.error.empty() || !std::isfinite(s.error[i]) ? 0.0 : s.error[i];
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i] - e);
      y_hi = std::max(y_hi, s.y[i] + e);
    }
  }
  if (!std::isfinite(x_lo)) throw Error("plot has no finite point");
  auto tx = [&](double x) { return o.log_x ? std::log10(x) : x; };
  double ax_lo = tx(x_lo), ax_hi = tx(x_hi);
  if (o.log_x) {
    ax_lo = std::floor(ax_lo * 4) / 4;
    ax_hi = std::ceil(ax_hi * 4) / 4;
  }
  if (ax_hi - ax_lo < 1e-12) {
    ax_lo -= 0.5;
    ax_hi += 0.5;
  }
  if (y_hi - y_lo < 1e-12) {
    y_lo -= 0.5;
    y_hi += 0.5;
  }
  const double pad = 0.05 * (y_hi - y_lo);
  y_lo -= pad;
  y_hi += pad;
  const double left = 64, right = 170, top = o.title.empty() ? 16 : 36, bottom = 52;
  const double plot_w = o.width - left - right, plot_h = o.height - top - bottom;
  auto px = [&](double x) { return left + (tx(x) - ax_lo) / (ax_hi - ax_lo) * plot_w; };
  auto py = [&](double y) { return top + (y_hi - y) / (y_hi - y_lo) * plot_h; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << o.width << "\" height=\""
      << o.height << "\" viewBox=\"0 0 " << o.width << " " << o.height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!o.title.empty()) {
    svg << "<text x=\"" << left + plot_w / 2 << "\" y=\"22\" text-anchor=\"middle\" "
        << "font-size=\"14\">" << html_escape(o.title) << "</text>\n";
  }
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\""
      << plot_h << "\" fill=\"none\" stroke=\"#333\"/>\n";
  // x ticks.
  std::vector<double> x_ticks;
  if (o.log_x) {
    for (double d = std::ceil(ax_lo); d <= ax_hi + 1e-9; d += 1) x_ticks.push_back(std::pow(10, d));
    // 3 x 10^d between the decades, as the usual low-data sizes 30, 300, 3000.
    for (double d = std::floor(ax_lo); d <= ax_hi; d += 1) {
      const double v = 3 * std::pow(10, d);
      if (tx(v) >= ax_lo - 1e-9 && tx(v) <= ax_hi + 1e-9) x_ticks.push_back(v);
    }
  } else {
    x_ticks = linear_ticks(ax_lo, ax_hi);
  }
  for (double t : x_ticks) {
    svg << "<line x1=\"" << px(t) << "\" x2=\"" << px(t) << "\" y1=\"" << top + plot_h << "\" y2=\""
        << top + plot_h + 5 << "\" stroke=\"#333\"/><text x=\"" << px(t) << "\" y=\""
        << top + plot_h + 18 << "\" text-anchor=\"middle\">" << number(t) << "</text>\n";
  }
  for (double t : linear_ticks(y_lo, y_hi)) {
    svg << "<line x1=\"" << left - 5 << "\" x2=\"" << left + plot_w << "\" y1=\"" << py(t)
        << "\" y2=\"" << py(t) << "\" stroke=\"#ddd\"/><text x=\"" << left - 8 << "\" y=\""
        << py(t) + 4 << "\" text-anchor=\"end\">" << number(t) << "</text>\n";
  }
  svg << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << o.height - 12
      << "\" text-anchor=\"middle\">" << html_escape(o.x_label) << "</text>\n"
      << "<text transform=\"translate(16," << top + plot_h / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << html_escape(o.y_label) << "</text>\n";
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* colour = kColours[k % (sizeof(kColours) / sizeof(kColours[0]))];
    std::ostringstream points;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      points << px(s.x[i]) << "," << py(s.y[i]) << " ";
      const double e = s.error.empty() || !std::isfinite(s.error[i]) ? 0.0 : s.error[i];
      if (e > 0) {
        svg << "<line x1=\"" << px(s.x[i]) << "\" x2=\"" << px(s.x[i]) << "\" y1=\""
            << py(s.y[i] - e) << "\" y2=\"" << py(s.y[i] + e) << "\" stroke=\"" << colour
            << "\"/>\n";
      }
      svg << "<circle cx=\"" << px(s.x[i]) << "\" cy=\"" << py(s.y[i]) << "\" r=\"3\" fill=\""
          << colour << "\"/>\n";
    }
    svg << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << colour << "\" points=\""
        << points.str() << "\"/>\n";
    const double ly = top + 12 + 18 * static_cast<double>(k);
    svg << "<line x1=\"" << left + plot_w + 12 << "\" x2=\"" << left + plot_w + 32 << "\" y1=\""
        << ly << "\" y2=\"" << ly << "\" stroke-width=\"2\" stroke=\"" << colour << "\"/><text x=\""
        << left + plot_w + 36 << "\" y=\"" << ly + 4 << "\">" << html_escape(s.name) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

PlotSeries curve_series(const nlohmann::json& m, const std::string& metric,
                        const std::string& name) {
  if (!m.contains("curve") || !m["curve"].is_array()) {
    throw Error("probe metrics of '" + name + "' hold no low-data curve (run with --train-size)");
  }
  PlotSeries s;
  s.name = name;
  auto value = [](const nlohmann::json& v) {
    return v.is_number() ? v.get<double>() : std::nan("");
  };
  for (const auto& point : m["curve"]) {
    if (!point.contains(metric)) throw Error("probe metrics hold no '" + metric + "' curve");
    s.x.push_back(point["train_size"].get<double>());
    s.y.push_back(value(point[metric]["mean"]));
    s.error.push_back(value(point[metric]["std"]));
  }
  if (m.contains("n_train") && m.contains("test") && m["test"].contains(metric)) {
    const double all = m["n_train"].get<double>();
    if (s.x.empty() || all > s.x.back()) {
      s.x.push_back(all);
      s.y.push_back(value(m["test"][metric]));
      s.error.push_back(0.0);
    }
  }
  return s;
}

}  // namespace helix::report
