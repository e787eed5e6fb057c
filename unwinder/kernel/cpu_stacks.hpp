// Each CPU's kernel stack at the crash: the ORC walk (kernel_orc) from the registers the dump
// saved, over the stacks that CPU owns (its task stack, IRQ stack and exception stacks, found from
// per-cpu variables), with the kernel's and the modules' ORC tables; a stack scan only where ORC
// fails, its frames marked unreliable as the kernel's own oops marks them with "?".
//
// Ownership: KernelCpuStack is a plain value. unwind_kernel_cpus() reads through the memory and
// symbols it is given and keeps nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory_x86_64.hpp"
#include "core/model/report.hpp"
#include "parsers/kernel/btf.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/orc.hpp"

namespace corelens {

class Vmlinux;  // unwinder/kernel/vmlinux.hpp

struct KernelStackFrame {
  Frame frame;          // pc, lookup_pc, sp, trust (context, cfi for ORC, scan), function, module
  std::string symbol;   // as the kernel prints it: "sysrq_handle_crash+0x16/0x20", "f+0x1/0x8 [pvpanic]"
  std::string stack;    // the stack its sp is on: "task", "IRQ", "NMI", ..., "unknown"; "user"
  std::string found_by; // "context", "orc", "dwarf-cfi", "prologue", "scan"; "inlined" for an
                        // inlined call (from the vmlinux's DWARF) at the pc of the frame below it
};

struct KernelCpuStack {
  std::vector<KernelStackFrame> frames;
  bool complete = false;
  std::string status;  // "complete: reached user space", or why the walk stopped
  std::string method;  // "ORC", "ORC, then a stack scan", "stack scan", "none"
};

struct KernelStackLimits {
  std::size_t max_frames = 256;
  std::size_t max_scan_frames = 64;
};

// A vmlinux with DWARF, when one was found (its build-id checked): file:line and inlined calls for
// kernel frames, and its DWARF CFI as an unwinder for code ORC has no entry for, or before ORC
// when CFI_FIRST (to compare the two). Module code has neither: ORC and the module's symbols.
class KernelModuleDwarf;
struct KernelDwarf {
  Vmlinux* vmlinux = nullptr;       // null: none. Used (and its caches filled) by one walk at a time
  std::uint64_t kernel_offset = 0;  // run-time minus link-time address of the kernel image (KASLR)
  bool cfi_first = false;
  KernelModuleDwarf* modules = nullptr;  // the modules' .ko files; null: none looked for
};

// What unwinding needs from a dump, read once: the kernel's ORC table (checked), the modules
// (with BTF), the per-cpu stack variables. References MEMORY, SYMBOLS and DIAGS, which must
// outlive it (a module's ORC table is checked on first use, and a bad one noted in DIAGS), as must
// DWARF's vmlinux.
class KernelUnwinder {
 public:
  KernelUnwinder(const KernelDump& dump, const KernelMemory& memory, const KernelSymbols& symbols, const KernelBtf* btf,
                 Diagnostics& diags, const KernelStackLimits& limits = {}, const KernelDwarf& dwarf = {});
  ~KernelUnwinder();
  KernelUnwinder(const KernelUnwinder&) = delete;
  KernelUnwinder& operator=(const KernelUnwinder&) = delete;

  // A CPU from the registers the dump saved, over the stacks that CPU owns.
  KernelCpuStack unwind_cpu(const KernelCpu& cpu) const;
  // A task the scheduler switched out, from its inactive_task_frame, on its own STACK only.
  KernelCpuStack unwind_switched_out(const OrcStartFrame& start, const StackRegion& stack) const;
  // The task_struct CPU was running at the crash (per-cpu current_task), if known.
  std::optional<std::uint64_t> current_task(std::uint32_t cpu) const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// One KernelCpuStack per DUMP.cpus entry, in the same order. BTF (may be null) gives the modules
// and the exception stacks. Problems with the ORC tables, the per-cpu stacks or the modules
// become diagnostics in DIAGS; a CPU's own failure is its status.
std::vector<KernelCpuStack> unwind_kernel_cpus(const KernelDump& dump, const KernelMemory& memory,
                                               const KernelSymbols& symbols, const KernelBtf* btf, Diagnostics& diags,
                                               const KernelStackLimits& limits = {});

}  // namespace corelens
