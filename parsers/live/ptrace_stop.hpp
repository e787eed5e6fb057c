// Stopping every thread of a live process for a moment, and letting it go on as it was.
//
// PTRACE_SEIZE takes each thread without stopping it; then every thread is sent PTRACE_INTERRUPT
// at once and waited for, so the process is stopped only from the first interrupt to the last
// detach. A thread that appears meanwhile (cloned by one not yet stopped) is taken too, until
// /proc/PID/task lists no new one. A signal that arrives while a thread is held is given back
// when it is let go (unless corelens is killed meanwhile: the kernel then lets the thread go
// without it, since waitpid already took it from the thread). As with gdb, a thread interrupted in epoll_wait, sigtimedwait, semop and a few
// other calls sees EINTR when it runs on (signal(7)); most calls restart on their own.
//
// Errors a user can act on: no such process; not permitted (Yama's kernel.yama.ptrace_scope,
// CAP_SYS_PTRACE, another user's process); another tracer attached (a debugger, strace).
//
// Whatever happens to corelens meanwhile, the process runs on: the kernel lets it go if corelens
// dies (PTRACE_O_EXITKILL is never set), and a SignalShield (signal_shield.hpp) turns Ctrl-C,
// Ctrl-Z, SIGTERM and the like into interrupted(): the holder stops its work and calls resume(),
// which lets the process go first and only then delivers the signal to corelens.
//
// For tests only: with CORELENS_TEST_HOLD_STOPPED=FILE in the environment, stop() writes "held"
// to FILE once every thread is stopped and waits there until a signal is caught or FILE is
// removed (at most a minute), so a test can signal or kill corelens at exactly that moment.
//
// Linux-specific. Used by the live-process reader (live_process.hpp) and `corelens snapshot`.
// Ownership: a StoppedProcess owns the ptrace attachment; destroying it lets the process go.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "core/model/error.hpp"
#include "parsers/live/signal_shield.hpp"

namespace corelens::live {

class StoppedProcess {
 public:
  // Stops every thread of process PID. When a signal to corelens interrupts the stop, the process
  // is let go, the signal delivered, and the error is ErrorCode::cancelled with the signal in
  // *INTERRUPTED_BY (when given).
  static Result<std::unique_ptr<StoppedProcess>> stop(pid_t pid, int* interrupted_by = nullptr);
  ~StoppedProcess();
  StoppedProcess(const StoppedProcess&) = delete;
  StoppedProcess& operator=(const StoppedProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The stopped threads, the leader first when it is one of them.
  const std::vector<pid_t>& threads() const { return threads_; }
  // PTRACE_GETREGSET of register set TYPE (NT_PRSTATUS, NT_PRFPREG ...), at most MAX bytes;
  // empty when it cannot be read.
  std::vector<std::byte> regset(pid_t tid, unsigned type, std::size_t max) const;
  // The signal (SIGINT, SIGTSTP ...) that arrived at corelens while the process was held, 0 when
  // none: the holder should stop its work and resume().
  int interrupted() const { return resumed_ ? released_signal_ : shield_.caught(); }
  // Lets every thread go on (PTRACE_DETACH, with the signal it was stopped by, if any), then
  // delivers to corelens the signal it caught meanwhile, if any (which may end corelens here, or
  // stop it until it is continued). Returns how long the process was stopped, in microseconds.
  // Later calls do nothing and return the same.
  std::uint64_t resume();

 private:
  StoppedProcess() = default;
  Result<bool> seize(pid_t tid, bool leader);  // false: the thread is gone
  bool wait_stopped(pid_t tid);
  void hold_for_tests() const;

  pid_t pid_ = 0;
  std::vector<pid_t> threads_;
  std::map<pid_t, int> signals_;  // a signal that stopped a thread instead of the interrupt
  std::vector<pid_t> seized_;     // seized, not yet detached
  std::chrono::steady_clock::time_point first_interrupt_;
  bool interrupted_ = false;
  bool resumed_ = false;
  std::uint64_t stopped_us_ = 0;
  SignalShield shield_;  // up from before the first seize to after the last detach
  int released_signal_ = 0;
};

// "interrupted by SIGINT while process PID was stopped ..." (ErrorCode::cancelled), for a holder
// that gave up because of interrupted().
Error interrupted_error(pid_t pid, int sig);

}  // namespace corelens::live
