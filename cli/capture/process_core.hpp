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
#include <string>
#include <vector>

#include "core/model/error.hpp"

namespace corelens::capture {

struct CoreRequest {
  pid_t tgid = 0;
  pid_t crashed_tid = 0;           // its PRSTATUS comes first, as the dumping thread's does
  std::vector<pid_t> other_tids;   // every other thread, all ptrace-stopped
  std::vector<std::byte> siginfo;  // PTRACE_GETSIGINFO of the crashed thread (128 bytes)
  int signo = 0;
  std::string path;                // the core file to create (must not exist)
  std::uint64_t max_size = UINT64_MAX;
};

struct CoreWritten {
  std::uint64_t size = 0;
  bool truncated = false;              // cut at max_size
  std::vector<std::string> warnings;   // what could not be read, in words
};

Result<CoreWritten> write_process_core(const CoreRequest& request);

// Which memory of one mapping the kernel dumps (fs/coredump.c, vma_dump_size), from what
// /proc/PID/smaps says of it. Exposed for tests.
struct VmaInfo {
  std::uint64_t start = 0, end = 0, offset = 0, inode = 0;
  std::string perms;  // "r-xp"
  std::string path;   // "/usr/lib/...", "[stack]", "" ...
  std::vector<std::string> vm_flags;  // VmFlags: "rd", "wr", "sh", "dd", "io", "ht" ...
  std::uint64_t anonymous_kb = 0, swap_kb = 0;
};
// EXECUTABLE_FILE: the file's mode has an x bit; STARTS_WITH_ELF: its first bytes are \x7fELF.
std::uint64_t dump_size(const VmaInfo& vma, std::uint32_t coredump_filter, bool executable_file,
                        bool starts_with_elf);
std::vector<VmaInfo> parse_smaps(const std::string& text);

}  // namespace corelens::capture
