// A running process read into the model, the way a core would describe it, without writing one:
// every thread stopped (ptrace_stop.hpp), its registers read, the memory the analysis needs
// copied, every thread let go again; then a ProcessDump over the copy, which the pipeline
// analyses like any core while the process runs on.
//
// What is copied while it is stopped, in this order, so the stop stays short whatever the
// process's size: each thread's live stack (from its stack pointer, less the red zone, to the end
// of its mapping, at most MAX_STACK), the ELF headers of every mapped file and the vDSO (modules
// and their build-ids), the bytes around each pointer a thread's blocking system call was given
// (the futex word of the lock it waits for), then the process's other writable memory (globals,
// the heap) up to COPY_BUDGET bytes. Read-only code and data are not copied: the analysis reads
// them from the module files, verified by build-id, as for a kernel-written core. Memory left out
// reads as "not saved", never as zeros.
//
// x86_64 hosts only. The process may be x86_64 or i386 (a 32-bit program: the kernel shows its
// registers in i386's layout, and the dump is an i386 one); its threads' x87/SSE registers are
// read for x86_64 processes only.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "core/model/error.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

struct LiveReadOptions {
  std::uint64_t copy_budget = std::uint64_t{64} << 20;  // writable memory besides the stacks
  std::uint64_t max_stack = std::uint64_t{8} << 20;     // per thread, from its stack pointer up
};

struct LiveProcess {
  ProcessDump dump;          // producer "live"; no signal; threads in /proc order, the leader first
  LiveProcessReport stop;    // how long it was stopped, how much was copied
};

// Stops process PID, copies it, lets it go. Errors: no such process (ErrorCode::not_found), not
// permitted (not_permitted), traced by another process (busy), another architecture (unsupported),
// interrupted by a signal to corelens that did not end it (cancelled: the process was let go).
Result<LiveProcess> read_live_process(pid_t pid, const LiveReadOptions& options = {});

}  // namespace corelens
