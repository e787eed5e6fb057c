// Reading a live process through /proc: its threads, its memory map, its memory. Shared by the
// live-process reader (live_process.hpp) and `corelens run`'s core writer (cli/capture/).
//
// Linux-specific. Every value read here comes from the kernel about a process that may be
// changing or exiting: callers treat an empty answer as "gone" or "not readable".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace corelens::live {

// The whole of a small /proc file ("status", "maps", "cmdline"); empty when it cannot be read.
std::string read_proc_file(const std::string& path);
// The thread ids of process TGID (/proc/TGID/task), unsorted; empty when it is gone.
std::vector<pid_t> list_tasks(pid_t tgid);
// A "Key:\tvalue" line of /proc/PID/status: the value without leading blanks; empty when absent.
std::string status_field(const std::string& status, std::string_view key);

// One mapping of /proc/PID/maps or /proc/PID/smaps (whose extra lines fill VM_FLAGS and the
// anonymous and swapped sizes).
struct VmaInfo {
  std::uint64_t start = 0, end = 0, offset = 0, inode = 0;
  std::string perms;  // "r-xp"
  std::string path;   // "/usr/lib/...", "[stack]", "" ...
  std::vector<std::string> vm_flags;  // VmFlags: "rd", "wr", "sh", "dd", "io", "ht" ...
  std::uint64_t anonymous_kb = 0, swap_kb = 0;
};
std::vector<VmaInfo> parse_smaps(const std::string& text);

// A process's memory through /proc/PID/mem (the same permission as ptrace: the caller has it).
class ProcessMemory {
 public:
  explicit ProcessMemory(pid_t pid);
  ~ProcessMemory();
  ProcessMemory(const ProcessMemory&) = delete;
  ProcessMemory& operator=(const ProcessMemory&) = delete;
  bool ok() const { return fd_ >= 0; }
  int open_errno() const { return errno_; }
  // Copies [addr, addr + out.size()) into OUT; pages that cannot be read are left as zeros.
  // Returns how many bytes could not be read.
  std::size_t read(std::uint64_t addr, std::span<std::byte> out) const;

 private:
  bool full_read(std::uint64_t addr, std::byte* dst, std::size_t n) const;
  int fd_ = -1;
  int errno_ = 0;
};

}  // namespace corelens::live
