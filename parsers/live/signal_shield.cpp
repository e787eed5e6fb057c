#include "parsers/live/signal_shield.hpp"

#include <signal.h>

#include <array>
#include <atomic>
#include <cstddef>

namespace corelens::live {
namespace {

constexpr std::array<int, 9> kShielded = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGXFSZ};

// Process-wide, as signal actions are. Written by the handler (async-signal-safe: a lock-free
// atomic), read by the holder.
std::atomic<int> g_caught{0};
std::atomic<bool> g_up{false};
std::array<struct sigaction, kShielded.size()> g_previous{};
std::array<bool, kShielded.size()> g_installed{};

void note_signal(int sig) {
  int none = 0;
  g_caught.compare_exchange_strong(none, sig);
}

void restore_actions() {
  for (std::size_t i = 0; i < kShielded.size(); ++i) {
    if (g_installed[i]) ::sigaction(kShielded[i], &g_previous[i], nullptr);
    g_installed[i] = false;
  }
}

}  // namespace

SignalShield::SignalShield() {
  bool expected = false;
  if (!g_up.compare_exchange_strong(expected, true)) return;  // another shield is up
  active_ = true;
  g_caught = 0;
  struct sigaction act {};
  act.sa_handler = note_signal;
  sigfillset(&act.sa_mask);
  act.sa_flags = 0;  // no SA_RESTART: a wait for a thread that will not stop returns EINTR
  for (std::size_t i = 0; i < kShielded.size(); ++i) {
    struct sigaction old {};
    if (::sigaction(kShielded[i], nullptr, &old) != 0) continue;
    if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN) continue;  // stays ignored
    g_previous[i] = old;
    g_installed[i] = ::sigaction(kShielded[i], &act, nullptr) == 0;
  }
}

SignalShield::~SignalShield() {
  if (!active_) return;
  restore_actions();
  g_up = false;
}

int SignalShield::caught() const { return active_ ? g_caught.load() : 0; }

int SignalShield::release() {
  if (!active_) return 0;
  active_ = false;
  restore_actions();
  g_up = false;
  int sig = g_caught.exchange(0);
  // Delivered before raise() returns: a default action ends or stops this process here; a stop
  // returns once corelens is continued.
  if (sig != 0) ::raise(sig);
  return sig;
}

bool SignalShield::is_stop_signal(int sig) { return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

}  // namespace corelens::live
