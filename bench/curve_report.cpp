// Combines the low-data curves of several `helix probe` runs into one SVG plot and a Markdown
// table (stdout), for docs/benchmarks/*.md.
//   curve_report --metric pearson --title T --out plot.svg NAME=DIR/metrics.json ...
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "helix/report/plot.hpp"
#include "helix/util/atomic_file.hpp"

int main(int argc, char** argv) {
  std::string metric = "pearson", title, out;
  std::vector<std::pair<std::string, std::string>> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--metric" || arg == "--title" || arg == "--out") && i + 1 < argc) {
      (arg == "--metric" ? metric : arg == "--title" ? title : out) = argv[++i];
    } else if (arg.find('=') != std::string::npos) {
      inputs.emplace_back(arg.substr(0, arg.find('=')), arg.substr(arg.find('=') + 1));
    } else {
      std::cerr << "usage: curve_report [--metric M] [--title T] --out SVG NAME=metrics.json...\n";
      return 2;
    }
  }
  if (inputs.empty() || out.empty()) {
    std::cerr << "curve_report: needs --out and at least one NAME=metrics.json\n";
    return 2;
  }
  try {
    std::vector<helix::report::PlotSeries> series;
    for (const auto& [name, path] : inputs) {
      std::ifstream in(path);
      if (!in) throw std::runtime_error("cannot read " + path);
      series.push_back(helix::report::curve_series(nlohmann::json::parse(in), metric, name));
    }
    helix::report::PlotOptions o;
    o.log_x = true;
    o.title = title;
    o.x_label = "training sequences";
    o.y_label = "test " + metric + " (mean +/- sd over seeds)";
    helix::write_file_atomic(out, helix::report::line_plot_svg(series, o));
    // Table: one row per input, one column per training size.
    std::cout << "| features |";
    for (double x : series.front().x) std::cout << " " << static_cast<int64_t>(x) << " |";
    std::cout << "\n|---|";
    for (size_t k = 0; k < series.front().x.size(); ++k) std::cout << "---|";
    std::cout << "\n";
    for (const auto& s : series) {
      std::cout << "| " << s.name << " |";
      for (size_t k = 0; k < s.y.size(); ++k) {
        std::ostringstream cell;
        cell << std::fixed << std::setprecision(3) << s.y[k];
        if (s.error[k] > 0) cell << " ± " << std::setprecision(3) << s.error[k];
        std::cout << " " << cell.str() << " |";
      }
      std::cout << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "curve_report: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
