#include "helix/util/signals.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace helix {
namespace {
std::atomic<int> received{0};

extern "C" void on_signal(int sig) {
  if (received.exchange(sig) != 0) _exit(128 + sig);  // second signal: give up at once
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupt_requested() { return received.load() != 0; }
int interrupt_signal() { return received.load(); }

}  // namespace helix
