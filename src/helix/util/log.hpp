// Logging: spdlog to stderr with a global level set by -v / -q.
#pragma once

#include <spdlog/spdlog.h>

namespace helix {

// Configures the default logger to write to stderr. verbosity: -1 quiet, 0 info, 1 debug.
void init_logging(int verbosity);

}  // namespace helix
