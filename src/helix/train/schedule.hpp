// Per-step schedules: learning rate (linear warm-up, then half-cosine decay to zero) and the EMA
// teacher momentum (cosine from start to end over the run, as DINO and FinDNA).
#pragma once

#include <cstdint>

namespace helix::train {

struct LrSchedule {
  double peak = 3e-4;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  // 0 at step 0, `peak` at warmup_steps, 0 at total_steps.
  double at(int64_t step) const;
};

// m_k = end - (end - start) * (1 + cos(pi k / K)) / 2.
double ema_momentum(int64_t step, int64_t total_steps, double start, double end);

}  // namespace helix::train
