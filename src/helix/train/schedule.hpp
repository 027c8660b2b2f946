// Per-step schedules: learning rate (linear warm-up, then half-cosine decay to zero) and the EMA
// teacher momentum (cosine from start to end over the run, as DINO and FinDNA).
#pragma once

#include <cstdint>

namespace helix::train {

struct LrSchedule {
  double peak = 3e-4;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  // Fraction of the peak at step 0 (FinDNA: 0; Orthrus warms up from 0.1 x lr).
  double start_factor = 0.0;
  // start_factor x peak at step 0, rising linearly to `peak` at warmup_steps, then half-cosine
  // to 0 at total_steps.
  double at(int64_t step) const;
};

// m_k = end - (end - start) * (1 + cos(pi k / K)) / 2.
double ema_momentum(int64_t step, int64_t total_steps, double start, double end);

}  // namespace helix::train
