// Stopping every thread of a live process for a moment, and letting it go on as it was.
//
// PTRACE_SEIZE takes each thread without stopping it; then every thread is sent PTRACE_INTERRUPT
// at once and waited for, so the process is stopped only from the first interrupt to the last
// detach. A thread that appears meanwhile (cloned by one not yet stopped) is taken too, until
// /proc/PID/task lists no new one. A signal that arrives while a thread is held is given back
// when it is let go. As with gdb, a thread interrupted in epoll_wait, sigtimedwait, semop and a few
// other calls sees EINTR when it runs on (signal(7)); most calls restart on their own.
//
// Errors a user can act on: no such process; not permitted (Yama's kernel.yama.ptrace_scope,
// CAP_SYS_PTRACE, another user's process); another tracer attached (a debugger, strace).
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

namespace corelens::live {

class StoppedProcess {
 public:
  // Stops every thread of process PID.
  static Result<std::unique_ptr<StoppedProcess>> stop(pid_t pid);
  ~StoppedProcess();
  StoppedProcess(const StoppedProcess&) = delete;
  StoppedProcess& operator=(const StoppedProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The stopped threads, the leader first when it is one of them.
  const std::vector<pid_t>& threads() const { return threads_; }
  // PTRACE_GETREGSET of register set TYPE (NT_PRSTATUS, NT_PRFPREG ...), at most MAX bytes;
  // empty when it cannot be read.
  std::vector<std::byte> regset(pid_t tid, unsigned type, std::size_t max) const;
  // Lets every thread go on (PTRACE_DETACH, with the signal it was stopped by, if any). Returns how
  // long the process was stopped, in microseconds. Later calls do nothing and return the same.
  std::uint64_t resume();

 private:
  StoppedProcess() = default;
  Result<bool> seize(pid_t tid, bool leader);  // false: the thread is gone
  bool wait_stopped(pid_t tid);

  pid_t pid_ = 0;
  std::vector<pid_t> threads_;
  std::map<pid_t, int> signals_;  // a signal that stopped a thread instead of the interrupt
  std::vector<pid_t> seized_;     // seized, not yet detached
  std::chrono::steady_clock::time_point first_interrupt_;
  bool interrupted_ = false;
  bool resumed_ = false;
  std::uint64_t stopped_us_ = 0;
};

}  // namespace corelens::live
