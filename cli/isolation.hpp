// Analysis of an untrusted dump in a child process: the child gets a memory limit (RLIMIT_AS),
// a CPU limit (RLIMIT_CPU) and no core of its own, and the parent a wall-clock timeout, so a dump
// that crashes, hangs or bloats the analyzer costs that dump, not the caller. `corelens triage`
// isolates every dump this way, `corelens analyze --isolate` the one it is given.
//
// Callers fork without exec: they must be single-threaded when they call spawn_isolated().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace corelens::cli {

struct IsolationLimits {
  unsigned timeout_seconds = 120;         // wall clock, and CPU time (RLIMIT_CPU) as well
  std::uint64_t memory_limit_mib = 4096;  // address space on top of the dump's own size (it is mapped)
};

// A running child: its pid and the read end of the pipe it writes its result to.
struct IsolatedChild {
  pid_t pid = -1;
  int fd = -1;
};

// Forks a child that limits itself to LIMITS (plus the size of DUMP, which it maps), runs
// BODY(write_fd) and exits with BODY's return value. Returns nullopt, with errno set, when the
// pipe or the fork fails. Buffered stdio is flushed first so the child does not write it twice.
std::optional<IsolatedChild> spawn_isolated(const std::string& dump, const IsolationLimits& limits,
                                            const std::function<int(int write_fd)>& body);

// How a child ended, from its waitpid() status, for people: nullopt when it exited normally.
struct AbnormalEnd {
  bool timed_out = false;   // killed for the wall clock, or SIGXCPU from the CPU limit
  bool over_limit = false;  // timed out, or ran out of memory: not a bug, a limit
  std::string message;      // "the analysis died of SIGSEGV (Segmentation fault)"
};
std::optional<AbnormalEnd> abnormal_end(int wait_status, bool killed_for_time);

// Reads everything the child writes to FD until it closes it, killing the child (SIGKILL) when
// TIMEOUT_SECONDS of wall clock pass first; then reaps it. The child's output is in OUTPUT.
struct ChildResult {
  std::string output;
  int wait_status = 0;
  bool killed_for_time = false;
};
ChildResult wait_for_child(const IsolatedChild& child, unsigned timeout_seconds);

bool write_all(int fd, std::string_view data);

}  // namespace corelens::cli
