// The core of a live process, as the kernel would have written it at its fatal signal: every
// thread's registers (PTRACE_GETREGSET), the process notes (NT_PRPSINFO, NT_SIGINFO, NT_AUXV,
// NT_FILE, NT_X86_XSAVE_LAYOUT) from /proc, and the memory /proc/PID/coredump_filter selects,
// read from /proc/PID/mem. parsers/elf_core_writer.hpp lays the bytes out.
//
// Linux- and x86_64-specific, and needs a ptrace-stopped process: it lives with the tracer in
// cli/capture/, used by `corelens run` only. The libraries never see a live process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/model/error.hpp"
#include "parsers/live/proc_files.hpp"

namespace corelens::capture {

struct CoreRequest {
  pid_t tgid = 0;
  pid_t crashed_tid = 0;           // its PRSTATUS comes first, as the dumping thread's does
  std::vector<pid_t> other_tids;   // every other thread, all ptrace-stopped
  std::vector<std::byte> siginfo;  // PTRACE_GETSIGINFO of the crashed thread (128 bytes)
  int signo = 0;                   // 0: a snapshot of a running process (`corelens snapshot`):
                                   // no NT_SIGINFO, no signal in the threads, states as they are
  std::string path;                // the core file to create (must not exist)
  int fd = -1;                     // when >= 0: an empty file open for writing, used instead of
                                   // PATH (which then only names it in messages), left open
  std::uint64_t max_size = UINT64_MAX;
  // Asked between reads of memory: true stops the copy (what is left is not read) and the write
  // fails with ErrorCode::cancelled. `corelens snapshot` stops when a signal arrives meanwhile.
  std::function<bool()> cancelled;
};

struct CoreWritten {
  std::uint64_t size = 0;
  bool truncated = false;              // cut at max_size
  std::vector<std::string> warnings;   // what could not be read, in words
};

Result<CoreWritten> write_process_core(const CoreRequest& request);

// Which memory of one mapping the kernel dumps (fs/coredump.c, vma_dump_size), from what
// /proc/PID/smaps says of it (parsers/live/proc_files.hpp reads it). Exposed for tests.
using live::VmaInfo;
using live::parse_smaps;
// EXECUTABLE_FILE: the file's mode has an x bit; STARTS_WITH_ELF: its first bytes are \x7fELF.
std::uint64_t dump_size(const VmaInfo& vma, std::uint32_t coredump_filter, bool executable_file,
                        bool starts_with_elf);

}  // namespace corelens::capture
