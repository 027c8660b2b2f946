// SIGINT/SIGTERM handling for long jobs: the first signal sets a flag that the training loop
// polls after each step (it then checkpoints and exits); a second one exits immediately.
#pragma once

namespace helix {

void install_interrupt_handlers();
bool interrupt_requested();
// The signal number that was received (0 if none).
int interrupt_signal();

}  // namespace helix
