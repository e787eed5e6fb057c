// Which CPU panicked and what each CPU was running, read from the dump's memory, never from the
// log (whose wording changes: 6.12 prints "CPU: 1 UID: 0 PID: 1 Comm: init"):
//   panic_cpu   the atomic_t that panic() and crash_kexec() set to the first CPU that got there
//               (-1, PANIC_CPU_INVALID, when none did)
//   current     the task each CPU runs: x86_64's per-cpu current_task (pcpu_hot.current_task from
//               6.2); on any architecture the per-cpu runqueue's curr (arm64 keeps `current` in
//               sp_el0, a register no dump saves)
//   pid, comm   from that task_struct, with BTF's layout
// NT_PRSTATUS's pr_pid is the running task's pid in kdump's notes but the CPU's index plus one in
// QEMU's: it is used only for kdump, and only when memory does not say.
//
// Ownership: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"
#include "parsers/kernel/btf.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/percpu.hpp"

namespace corelens {

struct KernelCpuTask {
  std::optional<std::uint64_t> task;  // the task_struct it was running
  std::optional<std::int32_t> pid;
  std::string comm;
  std::string from;  // "current_task", "pcpu_hot.current_task", "runqueues.curr", "NT_PRSTATUS pr_pid"
};

struct KernelCpuFacts {
  std::optional<std::uint32_t> panic_cpu;
  std::string panic_cpu_from;       // "panic_cpu"; empty when unknown
  std::vector<KernelCpuTask> cpus;  // index-aligned with KernelDump::cpus
};

KernelCpuFacts read_cpu_facts(const KernelDump& dump, const KernelMemory& memory, const KernelSymbols& symbols,
                              const KernelBtf* btf, const KernelPerCpu& per_cpu, Diagnostics& diags);

// A task's pid and comm with BTF's layout of task_struct.
struct TaskIdentity {
  std::int32_t pid = 0;
  std::string comm;
};
std::optional<TaskIdentity> read_task_identity(const KernelMemory& memory, const KernelBtf& btf, std::uint64_t task);

}  // namespace corelens
