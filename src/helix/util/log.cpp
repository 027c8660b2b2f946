#include "helix/util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cmath>
#include <cstdio>

namespace helix {

void init_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("helix");
  logger->set_pattern("[%H:%M:%S] [%^%l%$] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbosity < 0    ? spdlog::level::warn
                    : verbosity == 0 ? spdlog::level::info
                                     : spdlog::level::debug);
}

std::string format_significant(double value, int digits) {
  if (std::isnan(value)) return "nan";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

}  // namespace helix
