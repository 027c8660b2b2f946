#include "helix/train/schedule.hpp"

#include <algorithm>
#include <cmath>

namespace helix::train {

double LrSchedule::at(int64_t step) const {
  if (step < warmup_steps) {
    const double rise = static_cast<double>(step) / warmup_steps;
    return peak * (start_factor + (1.0 - start_factor) * rise);
  }
  const int64_t decay = total_steps - warmup_steps;
  if (decay <= 0) return peak;
  const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / decay);
  return peak * 0.5 * (1.0 + std::cos(M_PI * progress));
}

double ema_momentum(int64_t step, int64_t total_steps, double start, double end) {
  const double progress = total_steps > 0 ? static_cast<double>(step) / total_steps : 1.0;
  return end - (end - start) * (1.0 + std::cos(M_PI * progress)) / 2.0;
}

}  // namespace helix::train
