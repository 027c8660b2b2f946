// Logging: spdlog to stderr with a global level set by -v / -q.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace helix {

// Configures the default logger to write to stderr. verbosity: -1 quiet, 0 info, 1 debug.
void init_logging(int verbosity);

// A number for logs and text outputs: `digits` significant digits (printf's %g), "nan" for NaN.
std::string format_significant(double value, int digits = 4);

}  // namespace helix
