// Writing an ELF core file in the layout the Linux kernel uses (fs/binfmt_elf.c, elf_core_dump):
// ELF header; program headers (PT_NOTE first, then one PT_LOAD per memory area in address
// order); the notes; then, from the next page boundary, each PT_LOAD's bytes back to back. Pages
// of zeros and memory that cannot be read become holes, so the file is sparse like the kernel's.
//
// This file produces bytes only: what goes into the notes and which memory is dumped is decided
// by the caller (cli/capture/ reads it from a live, ptrace-stopped process). It lives in core/
// because it needs nothing but the standard library and POSIX file I/O, and so it can be tested
// alone, without a process, against the parsers.
//
// Ownership: nothing is kept; notes and segments are borrowed for the duration of the call.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/model/error.hpp"

namespace corelens::core_writer {

struct Note {
  std::string name;  // "CORE", "LINUX"
  std::uint32_t type = 0;
  std::vector<std::byte> desc;
};

inline constexpr std::uint32_t kPfX = 1, kPfW = 2, kPfR = 4;

struct Segment {
  std::uint64_t vaddr = 0;
  std::uint64_t memsz = 0;
  std::uint64_t filesz = 0;  // bytes dumped from vaddr on: 0, one page (ELF headers), or memsz
  std::uint32_t flags = 0;   // kPfR | kPfW | kPfX
};

// Copies [vaddr, vaddr + out.size()) of the process into OUT, leaving zeros where memory cannot
// be read (written as holes, as the kernel does for pages it cannot get); returns how many bytes
// could not be read.
using MemoryReader = std::function<std::size_t(std::uint64_t vaddr, std::span<std::byte> out)>;

struct WriteResult {
  std::uint64_t size = 0;              // the file's size (holes included)
  std::uint64_t data_bytes = 0;        // bytes of memory written (not holes)
  std::uint64_t unreadable_bytes = 0;  // bytes of segments that could not be read (holes)
  bool truncated = false;              // stopped at MAX_SIZE, like a core cut by RLIMIT_CORE
};

// Writes the core to FD (an empty, writable regular file). MACHINE is e_machine (EM_X86_64).
// At most MAX_SIZE bytes are written; a core cut there keeps its headers and notes when they fit.
Result<WriteResult> write_core(int fd, std::uint16_t machine, const std::vector<Note>& notes,
                               const std::vector<Segment>& segments, const MemoryReader& read,
                               std::uint64_t max_size);

// ---- Note payloads, 64-bit Linux layouts (include/uapi/linux/elfcore.h) ----------------------

struct TimeVal {
  std::int64_t sec = 0, usec = 0;
};

// struct elf_prstatus (x86_64: 336 bytes). Only pr_info.si_signo is set in pr_info, as the kernel
// does; si_code and the fault address live in NT_SIGINFO.
struct PrStatus {
  std::int32_t signo = 0;
  std::int16_t cursig = 0;
  std::uint64_t sigpend = 0, sighold = 0;
  std::int32_t pid = 0, ppid = 0, pgrp = 0, sid = 0;
  TimeVal utime, stime, cutime, cstime;
  std::int32_t fpvalid = 0;
};
// USER_REGS: struct user_regs_struct as PTRACE_GETREGSET NT_PRSTATUS returns it (216 bytes).
std::vector<std::byte> encode_prstatus_x86_64(const PrStatus& status, std::span<const std::byte> user_regs);

// struct elf_prpsinfo (136 bytes).
struct PrPsInfo {
  char state = 0;  // pr_state: 0 running, 1 sleeping ...; pr_sname follows from it
  char sname = 'R';
  std::int8_t nice = 0;
  std::uint64_t flag = 0;  // the task's PF_* flags
  std::uint32_t uid = 0, gid = 0;
  std::int32_t pid = 0, ppid = 0, pgrp = 0, sid = 0;
  std::string fname;   // comm, at most 15 bytes kept
  std::string psargs;  // the raw argv block (NULs between arguments); at most 79 bytes kept
};
std::vector<std::byte> encode_prpsinfo(const PrPsInfo& info);

// NT_FILE: every file-backed mapping. PAGE_OFFSET is the offset in the file in pages.
struct FileMapping {
  std::uint64_t start = 0, end = 0, page_offset = 0;
  std::string path;
};
std::vector<std::byte> encode_file_note(const std::vector<FileMapping>& files, std::uint64_t page_size);

}  // namespace corelens::core_writer
