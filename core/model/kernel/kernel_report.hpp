// The kernel part of a Report (Report::kernel): what a kernel crash dump says, as plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/process.hpp"
#include "core/model/stack.hpp"

namespace corelens {

struct KernelCpuReport {
  std::uint32_t cpu = 0;
  std::optional<std::int32_t> pid;  // the task running on it, from memory (kdump's pr_pid only when
                                    // memory does not say; QEMU's pr_pid is not a pid); unknown: none
  std::string comm;                 // that task's comm; empty when unknown
  bool panicking = false;
  std::vector<Register> registers;  // empty when the dump saved none for this CPU
  std::optional<std::uint64_t> cr3;
  std::string pc_symbol;            // "sysrq_handle_crash+0x16" from kallsyms; empty when unknown
  // Its stack is the ThreadReport "CPU n" of Report::threads (Report::cpu_stack).
};

// A task (process or thread) at the crash, with its stack (Report::task_stack: a task running at
// the crash has none of its own, its stack is its CPU's).
struct KernelTaskReport : StackReport {
  std::uint64_t address = 0;                // the task_struct
  std::int32_t pid = 0, tgid = 0;
  std::string comm;
  char state = '?';                         // ps's letter: R S D T t X Z P I
  std::optional<std::uint32_t> cpu;         // the CPU it runs or last ran on
  std::optional<std::uint32_t> running_on;  // running at the crash: its stack is that CPU's
  bool kernel_thread = false;
  std::string wchan;                        // the first function on its stack outside the scheduler
};

struct KernelLogLine {
  std::uint64_t seq = 0;
  std::uint64_t ts_nsec = 0;
  std::string text;  // one record, escaped as `makedumpfile --dump-dmesg` prints it, no prefix
};

struct KernelReport {
  std::string release;          // VMCOREINFO OSRELEASE
  std::string build_id;         // VMCOREINFO BUILD-ID (= the vmlinux's build-id)
  std::string format;           // "ELF vmcore (/proc/vmcore)", "kdump-compressed (diskdump v6)" ...
  std::string compression;      // diskdump pages: "zlib", "lzo" ...; empty for ELF
  std::uint64_t page_size = 0;
  std::optional<std::uint64_t> kernel_offset;  // KASLR
  std::optional<std::int64_t> phys_base;
  std::optional<std::uint64_t> crash_time;     // seconds since the epoch (kdump's CRASHTIME)
  std::uint64_t physical_memory = 0;           // bytes of RAM the dump describes
  std::size_t vmcoreinfo_keys = 0;
  std::string panic_message;    // "sysrq triggered crash"; empty when the log has no panic line
  std::string oops_headline;    // the first line of the oops ("sysrq: Trigger a crash", "BUG: ...")
  std::optional<std::uint32_t> panic_cpu;
  std::optional<std::int32_t> panic_pid;
  std::string panic_comm;
  // The frame of the panicking CPU's stack the panic is about: the first below the panic
  // machinery (panic, crash_kexec, die, the page-fault handlers: unwinder/kernel/panic_frames.txt)
  // and so the function that panicked or oopsed; an index into that CPU's frames.
  std::optional<std::uint32_t> panic_frame;
  std::string panic_at;         // that frame as the oops names it: "sysrq_handle_crash+0x16/0x20"
  std::vector<KernelLogLine> oops;      // the oops/panic records, in order
  std::vector<KernelLogLine> log_tail;  // the last records of the log
  std::size_t log_records = 0;          // records in the whole log
  bool log_complete = false;
  std::size_t kallsyms_symbols = 0;     // symbols for kernel addresses (from SYMBOLS_FROM); 0: none
  std::string symbols_from;             // "kallsyms" (the dump's memory), "vmlinux" (its .symtab), empty
  std::string btf_from;                 // struct layouts: "dump", "vmlinux", empty: none
  // The vmlinux with DWARF (file:line, inlined calls, DWARF CFI): --vmlinux, or found by release
  // and build-id under the debug directories, or by debuginfod.
  std::string vmlinux;                  // the file used; empty: none
  std::string vmlinux_build_id;
  std::string vmlinux_source;           // "file", "debug-file", "debuginfod"; "mismatch" or "none" when unused
  std::string vmlinux_note;             // why, in words ("build-id ... matches", "... has build-id X but ...")
  std::uint64_t vmlinux_offset = 0;     // added to the vmlinux's addresses (KASLR)
  std::vector<KernelCpuReport> cpus;    // the panicking CPU first
  std::vector<KernelTaskReport> tasks;  // in the kernel's task list order (init_task first)
  bool tasks_read = false;              // false: the task list could not be read (no BTF ...)
  std::vector<std::string> not_done;    // what this version does not yet do for kernel dumps
};

}  // namespace corelens
