#include "helix/util/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace helix {

void init_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("helix");
  logger->set_pattern("[%H:%M:%S] [%^%l%$] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbosity < 0    ? spdlog::level::warn
                    : verbosity == 0 ? spdlog::level::info
                                     : spdlog::level::debug);
}

}  // namespace helix
