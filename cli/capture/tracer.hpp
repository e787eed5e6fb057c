// `corelens run`'s supervisor: runs a command under ptrace and writes a core of every process
// of its tree that is about to die of a core-dumping signal, without root and without touching
// core_pattern.
//
// How: PTRACE_SEIZE with PTRACE_O_TRACEFORK|VFORK|CLONE|EXEC|EXITKILL, so every descendant is
// traced from its first instruction and killed if corelens dies; no syscall stops, so a run
// without crashes pays only for forks, clones, execs and signals. At a signal-delivery-stop for
// SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGTRAP or SIGQUIT whose action is the
// default (no handler in /proc/PID/status SigCgt, not ignored), every thread of the process is
// stopped, the core is written (process_core.hpp), and the signal is delivered unchanged while
// the other threads stay stopped until the group exit takes them: the process dies exactly as it
// would have (the kernel's own core, if any, holds the same threads), and its parent sees the
// same wait status. A process that handles the signal gets it and is not reported.
//
// Linux-specific: lives in cli/capture/, used by cli/run.cpp only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/error.hpp"

namespace corelens::capture {

struct CaughtCrash {
  pid_t pid = 0;        // thread group id
  pid_t tid = 0;        // the thread that took the signal
  int signo = 0;
  int si_code = 0;
  std::string comm;     // /proc/PID/comm at the crash
  std::string core;     // the core written, empty when it could not be (see error)
  std::uint64_t core_size = 0;
  bool truncated = false;
  std::string error;    // why no core, or what is missing from it
};

struct TraceOptions {
  std::vector<std::string> argv;        // the command; argv[0] is looked up in PATH
  std::string core_dir;                 // where cores go (must exist)
  std::uint64_t max_core_size = UINT64_MAX;
};

struct TraceResult {
  int wait_status = 0;   // the command's own, as waitpid reported it
  std::vector<CaughtCrash> crashes;
  std::uint64_t processes = 0;  // processes and threads seen, for the summary
};

// Runs the command to its end. Fails only when it cannot be started (not found: ErrorCode::not_found)
// or cannot be traced; everything else is in the result.
Result<TraceResult> run_traced(const TraceOptions& options);

// Whether SIG's default action is to dump core, i.e. one `run` catches.
bool is_core_signal(int sig);

}  // namespace corelens::capture
