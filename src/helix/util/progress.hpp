// Progress reporting: a redrawn bar when stderr is a terminal, one status line per call to
// `line()` otherwise (log files stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace helix {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  // Redraws the bar (terminal only; rate-limited).
  void update(int64_t done, const std::string& status);
  // A status line that stays: printed above the bar on a terminal, as a log line otherwise.
  void line(int64_t done, const std::string& status);
  void finish();

 private:
  std::string label_;
  int64_t total_;
  bool tty_;
  bool open_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace helix
