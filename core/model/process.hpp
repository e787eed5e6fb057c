// The model of a dumped user process, as the parsers read it from an ELF core.
//
// Ownership: a ProcessDump owns its MappedFile (through the AddressSpace and `file`); every other
// value here is a plain copy, so a ProcessDump can be moved between threads and outlives nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "core/model/address_space.hpp"
#include "core/model/arch.hpp"
#include "core/model/diagnostics.hpp"

namespace corelens {

// A general-purpose register: NAME points into a static per-architecture table.
struct Register {
  std::string_view name;
  std::uint64_t value = 0;
};

// A wider register (x87, SSE, AVX) kept as its raw little-endian bytes.
struct WideRegister {
  std::string_view name;
  std::vector<std::uint8_t> bytes;
};

struct RegisterSet {
  std::vector<Register> general;
  std::vector<WideRegister> wide;
  std::optional<std::uint64_t> get(std::string_view name) const;
};

// NT_SIGINFO (or the signal part of NT_PRSTATUS when a core has no NT_SIGINFO).
struct SigInfo {
  std::int32_t signo = 0;
  std::int32_t code = 0;
  std::int32_t errnum = 0;
  std::optional<std::uint64_t> address;  // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP
  std::optional<std::int32_t> sender_pid;  // SI_USER, SI_TKILL, SI_QUEUE, SIGCHLD ...
  std::optional<std::uint32_t> sender_uid;
  bool from_siginfo_note = false;  // false: reconstructed from pr_cursig only
};

struct Thread {
  std::int32_t tid = 0;
  std::string name;  // kernel cores do not record per-thread names; empty when unknown
  std::int32_t ppid = 0, pgrp = 0, sid = 0;
  std::int32_t cursig = 0;  // pr_cursig: the signal being delivered to this thread
  std::uint64_t sigpend = 0, sighold = 0;
  RegisterSet registers;
  std::optional<SigInfo> siginfo;  // gcore writes one per thread
  bool has_fpregs = false;
};

// NT_PRPSINFO.
struct PsInfo {
  char state_char = '?';  // pr_sname: R, S, D, T, Z ...
  std::int8_t nice = 0;
  std::uint64_t flags = 0;
  std::uint32_t uid = 0, gid = 0;
  std::int32_t pid = 0, ppid = 0, pgrp = 0, sid = 0;
  std::string fname;    // pr_fname: the executable's basename, at most 15 bytes
  std::string psargs;   // pr_psargs: the command line, at most 80 bytes, arguments space-separated
};

struct AuxvEntry {
  std::uint64_t type = 0;
  std::uint64_t value = 0;
};

// One entry of NT_FILE: a file-backed range of the address space.
struct FileRange {
  std::uint64_t start = 0, end = 0;
  std::uint64_t file_offset = 0;  // byte offset in the file (page index * page size)
  std::string path;
};

inline constexpr std::uint32_t kRead = 4, kWrite = 2, kExec = 1;  // Mapping::flags bits

// A PT_LOAD segment of the core, with the file behind it when NT_FILE names one.
struct Mapping {
  std::uint64_t start = 0, end = 0;
  std::uint32_t flags = 0;            // kRead | kWrite | kExec
  std::uint64_t core_offset = 0;      // where its bytes are in the core file
  std::uint64_t saved = 0;            // bytes of it the core holds (0 = not dumped)
  std::string path;                   // from NT_FILE, empty for anonymous memory
  std::uint64_t file_offset = 0;      // offset in PATH
  std::string perms() const;          // "r-xp" style
};

// A loaded ELF object (executable, shared library, vDSO) as the core describes it.
struct Module {
  std::string path;             // as recorded in the core (NT_FILE or the link map), "[vdso]" for the vDSO
  std::uint64_t start = 0;      // lowest mapped address of the object
  std::uint64_t end = 0;        // end of its highest mapping
  std::uint64_t load_bias = 0;  // runtime address - link-time address
  std::string build_id;         // hex NT_GNU_BUILD_ID read from the core's memory; empty if absent
  bool is_main_executable = false;
  bool is_vdso = false;
  bool headers_in_core = false;  // the ELF and program headers were readable in the core
  // Found in the dynamic linker's list in memory (no NT_FILE): LOAD_BIAS is its l_addr, exact;
  // START and END are estimated from the core's segments until the file's headers are read.
  bool from_link_map = false;
};

// A note of the core as it appeared in the file, known or not.
struct NoteInfo {
  std::string name;       // "CORE", "LINUX", "GDB" ...
  std::uint32_t type = 0;
  std::string type_name;  // "NT_PRSTATUS" ..., or "" when we do not know the type
  std::uint64_t offset = 0;  // of the descriptor in the file
  std::uint64_t size = 0;
};

struct ProcessDump {
  std::shared_ptr<const MappedFile> file;
  Arch arch = Arch::unknown;
  std::string producer;  // "kernel" or "gdb" (gcore): told apart by their notes and layout
  std::vector<Thread> threads;
  std::optional<PsInfo> psinfo;
  std::optional<SigInfo> siginfo;  // the process-level NT_SIGINFO (the crashing thread's)
  std::vector<AuxvEntry> auxv;
  std::vector<FileRange> files;
  std::vector<Mapping> mappings;
  std::vector<Module> modules;
  std::vector<NoteInfo> notes;
  std::string gdb_target_description;  // NT_GDB_TDESC XML, when gcore wrote one
  AddressSpace memory;
  Diagnostics diagnostics;

  std::optional<std::uint64_t> auxv_value(std::uint64_t type) const;
  const Mapping* mapping_at(std::uint64_t addr) const;
};

}  // namespace corelens
