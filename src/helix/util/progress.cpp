#include "helix/util/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "helix/util/log.hpp"

namespace helix {

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done, const std::string& status) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (open_ && done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 1.0;
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(filled, '#');
  bar.resize(kWidth, '-');
  std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld %s", label_.c_str(), bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), status.c_str());
  std::fflush(stderr);
  open_ = true;
}

void Progress::line(int64_t done, const std::string& status) {
  if (tty_) {
    // Keep the record on screen above the bar, then redraw the bar.
    std::fprintf(stderr, "\r\033[K%s %lld/%lld %s\n", label_.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total_), status.c_str());
    open_ = false;
    update(done, status);
    return;
  }
  spdlog::info("{} {}/{} {}", label_, done, total_, status);
}

void Progress::finish() {
  if (tty_ && open_) {
    std::fprintf(stderr, "\n");
    open_ = false;
  }
}

}  // namespace helix
