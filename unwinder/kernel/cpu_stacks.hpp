// Each CPU's kernel stack at the crash, and each switched-out task's, walked the way the kernel
// itself does on the dump's architecture (one file each), each walk asking its strategies in
// order through the loop every walk shares (unwinder/caller_strategy.hpp):
//   x86_64 (cpu_stacks_x86_64.cpp)  the ORC walk (orc.hpp) over the stacks a CPU owns (task, IRQ,
//          exception stacks, from per-cpu variables): the kernel's and the modules' ORC tables,
//          the vmlinux's DWARF CFI (after ORC, or first), frame 0's prologue (prologue.hpp); a
//          stack scan only where they fail, its frames marked unreliable as the oops marks them
//          with "?"
//   arm64  (cpu_stacks_aarch64.cpp) frame records (x29 chains), through the pt_regs that exception
//          entry saves and from the IRQ stack back to the task's; the caller of a frame whose pc
//          is exact (frame 0, an interrupted context) from the vmlinux's DWARF CFI or the
//          function's prologue (prologue_aarch64.hpp) first
// Every walk asks KernelStackLimits::keep_going as it starts: a cancelled one stops with
// StopReason::cancelled.
//
// Ownership: StackReport is a plain value. A KernelUnwinder references the memory, symbols and
// diagnostics it is given, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"
#include "core/model/report.hpp"
#include "parsers/kernel/btf.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/frames.hpp"
#include "unwinder/kernel/orc.hpp"

namespace corelens {

// What unwinding needs from a dump, read once (the ORC tables, the modules, the per-cpu stack
// variables). A module's table is checked on first use, and a bad one noted in DIAGS; DWARF's
// vmlinux must outlive the unwinder.
class KernelUnwinder {
 public:
  KernelUnwinder(const KernelDump& dump, const KernelMemory& memory, const KernelSymbols& symbols, const KernelBtf* btf,
                 Diagnostics& diags, const KernelStackLimits& limits = {}, const KernelDwarf& dwarf = {});
  ~KernelUnwinder();
  KernelUnwinder(const KernelUnwinder&) = delete;
  KernelUnwinder& operator=(const KernelUnwinder&) = delete;

  // A CPU from the registers the dump saved, over the stacks that CPU owns. TASK: the task it
  // runs (kernel_cpu_facts), whose stack is one of them; unknown: the 16 KiB around sp.
  StackReport unwind_cpu(const KernelCpu& cpu, std::optional<std::uint64_t> task = std::nullopt) const;
  // A task the scheduler switched out, from what the switch saved in its task_struct at TASK
  // (x86_64: thread.sp and the inactive_task_frame there; arm64: thread.cpu_context), on its own
  // STACK only.
  StackReport unwind_task(std::uint64_t task, const StackRegion& stack) const;

  // One architecture's walk (cpu_stacks_x86_64.cpp, cpu_stacks_aarch64.cpp).
  class ArchWalker {
   public:
    virtual ~ArchWalker() = default;
    virtual StackReport unwind_cpu(const KernelCpu& cpu, std::optional<std::uint64_t> task) const = 0;
    virtual StackReport unwind_task(std::uint64_t task, const StackRegion& stack) const = 0;
  };

 private:
  std::unique_ptr<ArchWalker> arch_;
};

std::unique_ptr<KernelUnwinder::ArchWalker> make_x86_64_unwinder(const KernelDump& dump, const KernelMemory& memory,
                                                           const KernelSymbols& symbols, const KernelBtf* btf,
                                                           Diagnostics& diags, const KernelStackLimits& limits,
                                                           const KernelDwarf& dwarf);
std::unique_ptr<KernelUnwinder::ArchWalker> make_aarch64_unwinder(const KernelDump& dump, const KernelMemory& memory,
                                                            const KernelSymbols& symbols, const KernelBtf* btf,
                                                            Diagnostics& diags, const KernelStackLimits& limits,
                                                            const KernelDwarf& dwarf);

// THREAD_SIZE: the size of union thread_union in BTF (16 KiB on x86_64 and arm64 without KASAN).
std::uint64_t kernel_thread_size(const KernelBtf* btf);

}  // namespace corelens
