// Report: the one immutable result of analysing a dump, which every front end presents.
//
// It is a plain value (strings and numbers, no pointers into the dump), so the GUI can hold it
// after the dump is closed and the CLI can serialise it. JSON layout: cli/report.schema.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_report.hpp"
#include "core/model/process.hpp"
#include "core/model/stack.hpp"

namespace corelens {

inline constexpr int kReportSchemaVersion = 1;

// Who wrote a user core, in words: "the kernel", "gdb's gcore", "qemu-user" (Report::producer).
std::string producer_words(const std::string& producer);

// A thread and its stack. A kernel dump's CPUs are threads too ("CPU n", CPU set), so that front
// ends that show threads show CPUs.
struct ThreadReport : StackReport {
  std::int32_t tid = 0;
  std::string name;
  bool crashed = false;
  std::vector<Register> registers;
  std::optional<std::uint32_t> cpu;  // kernel dumps: the CPU whose stack this is
};

// --unwinder cross-check: libdwfl's and libunwind's stacks of one thread compared frame by frame.
// Frame indexes count the frames as the unwinders found them, before inlined calls are expanded.
struct CrossCheckFrame {
  std::uint64_t pc = 0;
  std::optional<std::uint64_t> sp;
  FrameTrust trust = FrameTrust::context;
  std::string function;  // empty when unknown
};
struct CrossCheckSide {
  std::string unwinder;  // "libdwfl" or "libunwind"
  std::size_t frames = 0;
  bool complete = false;
  std::string status;
  std::optional<CrossCheckFrame> frame;  // its frame at the first difference, when it has one
};
struct UnwinderComparison {
  std::int32_t tid = 0;
  bool agree = false;  // as many frames, with the same pcs and stack pointers
  std::optional<std::size_t> first_difference;        // where the stacks part (or one ends)
  std::optional<std::size_t> first_trust_difference;  // a shared frame the two found differently
  std::string summary;  // in words
  CrossCheckSide dwfl, libunwind;
};

// Where a module's symbols came from: the basis for every name on the stacks.
enum class SymbolSource {
  file,           // the file named in the dump (or found under --sysroot / --exe)
  debug_file,     // separate debug info: .build-id or .gnu_debuglink under a debug directory
  debuginfod,     // downloaded by debuginfod (only when DEBUGINFOD_URLS is set)
  core_memory,    // the ELF image in the dump itself (the vDSO)
  none,           // no usable file
  mismatch,       // a file was found, but its build-id differs from the dump's
};
const char* to_string(SymbolSource source);

struct ModuleReport {
  std::string path;  // as recorded in the dump
  std::uint64_t start = 0, end = 0, load_bias = 0;
  std::string build_id;         // from the dump's memory
  std::string file;             // the file used for symbols, empty if none
  std::string file_build_id;    // build-id of that file
  std::string debug_file;       // separate debug info used, if any
  SymbolSource symbols = SymbolSource::none;
  std::string symbols_note;     // the reason in words ("not found under /srv/rootfs", ...)
  bool is_main_executable = false;
  // The symbol doctor (issue 21), only for a module with a frame on the crashing thread's stack
  // and no symbols or no line information: why, in one word ("missing", "mismatched-build-id",
  // "stripped", "no-debug-info"), and the one thing that fixes it. Empty for the others.
  std::string symbols_problem;
  std::string symbols_fix;
};

struct MappingReport {
  std::uint64_t start = 0, end = 0;
  std::string perms;
  std::string path;
  std::uint64_t file_offset = 0;
  std::uint64_t saved = 0;  // bytes in the dump
};

struct SignalReport {
  int number = 0;
  std::string name;
  std::string description;
  int code = 0;
  std::string code_name;
  std::string code_description;
  std::optional<std::uint64_t> address;
  std::optional<std::int32_t> sender_pid;
  std::optional<std::uint32_t> sender_uid;
  int errnum = 0;
};

struct ProcessReport {
  std::string executable;    // path of the main executable (NT_FILE / auxv AT_EXECFN)
  std::string command_line;  // pr_psargs
  std::string name;          // pr_fname
  std::optional<std::int32_t> pid, ppid;
  std::optional<std::uint32_t> uid, gid;
};

// ---- Why it crashed (core/analysis) ---------------------------------------------------------

// The faulting instruction, decoded, and the memory access it made.
struct FaultExplanation {
  std::uint64_t pc = 0;
  std::string instruction;       // "mov eax, dword ptr [rax]"; empty when the pc was unreadable
  std::string access;            // "read", "write", "execute"; empty when unknown
  std::uint32_t size = 0;        // bytes accessed, 0 when unknown
  std::optional<std::uint64_t> address;  // effective address computed from the registers
  std::string base_register, index_register;  // full names ("rax"), empty if none
  std::optional<std::uint64_t> base_value, index_value;
  std::uint32_t scale = 0;
  std::int64_t displacement = 0;
  // Effective address == si_addr (unset when there is no si_addr or no effective address).
  std::optional<bool> matches_fault_address;
  std::string variable;          // what the base register holds, by DWARF ("hdr", "r->field")
  std::string member;            // NULL + offset: the struct member at that offset, by DWARF
};

// One crash category with a stable identifier (see core/analysis/classify.hpp for the list).
struct CrashClassification {
  std::string category = "unknown";  // "null-pointer-read", "assertion-failed", ...
  std::string rule;                  // the rule that fired, in words
  std::string severity = "unknown";  // exploitable | probably-exploitable | probably-not-exploitable | unknown
  std::string message;               // abort message, malloc message, exception what()
  std::string exception_type;        // uncaught-exception: the thrown type, demangled
};

struct CrashSignature {
  std::vector<std::string> frames;  // "module!function", innermost first, after skipping
  // "assertion-failed | assert_fail!parse_header | assert_fail!main", with short readable names
  std::string readable;
  std::string hash;  // 16 hex digits (FNV-1a 64 of the category and FRAMES, the exact names)
};

// Threads whose stacks are identical, by function and module (tids in report order).
struct ThreadGroup {
  std::vector<std::int32_t> tids;
  std::string top_function;  // the innermost frame's function, "??" when unknown
  // Who waits there: the first frame outside the C and C++ runtimes (libc, the dynamic linker,
  // libstdc++, libgcc_s ...) as "module!function"; empty when the innermost frame is already
  // outside them or no frame is. Two groups blocked in the same futex differ here.
  std::string caller;
};

struct HealthItem {
  std::string kind;     // truncated | missing-note | module-missing | module-mismatch | unwind-incomplete
  std::string message;
};

// ---- Why it is stuck (core/analysis/waits.hpp, deadlocks.hpp) ------------------------------

// A blocking system call a thread is in, with its arguments from the registers at the syscall.
struct SyscallArgument {
  std::string name;        // "fd", "uaddr", "timeout" (the kernel's parameter names)
  std::uint64_t value = 0;  // the register's raw value
  std::string text;        // as people read it: "5", "0x5612a0", "3600 s"; empty: the raw value says it
};
struct BlockingSyscall {
  std::string name;          // "futex", "read", "epoll_wait"; "syscall 425" when unknown
  std::int64_t number = -1;  // the architecture's syscall number
  std::vector<SyscallArgument> args;
};

// What one thread waits for. Kinds (stable identifiers, also in cli/report.schema.json):
//   mutex  rwlock-read  rwlock-write  condvar  semaphore  barrier  join  lock (a C library's
//   internal lock)  futex (a futex word no library call explains)  sleep  syscall (any other
//   blocking system call: read, poll, epoll_wait, accept, waitpid ...)
struct ThreadWait {
  std::int32_t tid = 0;
  std::string kind;
  std::string function;  // the call it waits in, as people write it: "pthread_mutex_lock", "read"
  std::optional<std::uint64_t> object_address;  // the mutex, rwlock, condvar ... or the futex word
  std::string object_name;  // "lock_b", "acc+0x28", "thread 203"; empty when nothing names it
  std::optional<std::int32_t> owner_tid;  // who holds the lock, or the thread joined
  // How the owner is known: "mutex-owner" (pthread_mutex_t's __owner), "rwlock-writer"
  // (__cur_writer), "join-target" (the thread's tid word), "futex-word" (a PI or robust lock
  // word holds the owner's tid), "stack-reference" (a reader, inferred: glibc records no readers;
  // the only other thread holding the lock's address); empty without an owner.
  std::string owner_source;
  std::optional<BlockingSyscall> syscall;
  std::string caller;       // the first frame outside the C and C++ runtimes, "module!function"
  std::string description;  // in words: "waits for mutex lock_b, held by thread 202"
};

// A cycle of the wait-for graph (thread -> lock owner or join target).
struct Deadlock {
  std::vector<std::int32_t> threads;  // in cycle order, from the smallest tid
  std::string description;            // the cycle in words
};

struct CrashAnalysis {
  std::string why;  // the one sentence under the Signal line
  std::optional<FaultExplanation> fault;
  CrashClassification classification;
  CrashSignature signature;
  std::vector<ThreadGroup> thread_groups;  // only groups of two or more threads
  std::vector<HealthItem> health;          // empty: nothing wrong with the core
  std::vector<ThreadWait> waits;           // threads blocked in a call that waits, report order
  std::vector<Deadlock> deadlocks;         // cycles of the wait-for graph
  std::string waits_layout;  // where the C library's lock layouts came from, in words; empty: none needed
};

// `corelens analyze --pid`: the process was stopped, read and let go; this says for how long.
struct LiveProcessReport {
  std::uint64_t stopped_us = 0;      // microseconds from the first thread interrupted to the last let go
  std::uint64_t bytes_copied = 0;    // memory read while it was stopped
  std::uint64_t bytes_not_copied = 0;  // writable memory left out by the copy budget
};

struct Report {
  int schema_version = kReportSchemaVersion;
  std::string dump_path;
  std::string dump_kind;  // "user-core" or "kernel-dump"
  std::string producer;   // "kernel", "gdb"
  std::string arch;
  ProcessReport process;
  std::optional<SignalReport> signal;
  std::optional<std::int32_t> crashed_tid;
  std::vector<ThreadReport> threads;  // the crashing thread first
  std::vector<MappingReport> mappings;
  std::vector<ModuleReport> modules;
  std::vector<NoteInfo> notes;
  std::vector<AuxvEntry> auxv;
  std::vector<Diagnostic> diagnostics;
  std::optional<CrashAnalysis> analysis;  // absent only when the analysis did not run
  std::vector<UnwinderComparison> unwinder_cross_check;  // --unwinder cross-check only, thread order
  std::optional<KernelReport> kernel;     // kernel dumps (dump_kind "kernel-dump") only
  std::optional<LiveProcessReport> live;  // a live process (producer "live") only

  // The thread that received the fatal signal (a kernel dump: the panicking CPU); null when no
  // thread did.
  const ThreadReport* crashed_thread() const;
  std::optional<std::size_t> crashed_thread_index() const;
  // A kernel dump's stack of CPU N: the thread that holds it; null when the dump has no such CPU.
  const ThreadReport* cpu_stack(std::uint32_t cpu) const;
  // The stack of kernel task TASK (an index into kernel->tasks): the stack of the CPU it was
  // running on at the crash, else its own; null when there is no such task or CPU.
  const StackReport* task_stack(std::size_t task) const;
};

}  // namespace corelens
