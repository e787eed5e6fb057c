// The kernel's tasks at the crash, read from the dump's memory with struct task_struct's layout
// from the kernel's own BTF: the processes from init_task.tasks, each one's threads from
// signal->thread_head, the other CPUs' idle tasks (per-cpu idle_threads, and whatever task a CPU
// was running), and for each its pid, comm, state and CPU. A task the scheduler switched
// out is unwound from what the switch saved (KernelUnwinder::unwind_task: x86_64's
// inactive_task_frame, arm64's cpu_context); a task running on a CPU at the crash is that
// CPU's stack.
//
// Ownership: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "parsers/kernel/btf.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/cpu_facts.hpp"
#include "unwinder/kernel/cpu_stacks.hpp"

namespace corelens {

struct KernelTask {
  std::uint64_t address = 0;                // the task_struct
  std::int32_t pid = 0, tgid = 0;
  std::string comm;
  char state = '?';                         // as ps prints it: R S D T t X Z P I
  std::optional<std::uint32_t> cpu;         // the CPU it runs or last ran on
  std::optional<std::uint32_t> running_on;  // the CPU it was running on at the crash
  bool kernel_thread = false;               // PF_KTHREAD
  std::string wchan;                        // where it waits: its first function outside the scheduler
  StackReport stack;                        // no frames for a running task: see its CPU
};

struct TaskLimits {
  std::size_t max_tasks = 1u << 16;  // PID_MAX_DEFAULT is 32768; a list longer than this loops
};

// Empty with a diagnostic when BTF lacks what is needed; a list that breaks off or loops gives
// the tasks read so far and a diagnostic.
// FACTS names the task each CPU was running (its stack is that CPU's).
std::vector<KernelTask> read_kernel_tasks(const KernelDump& dump, const KernelMemory& memory,
                                          const KernelSymbols& symbols, const KernelBtf& btf,
                                          const KernelUnwinder& unwinder, const KernelCpuFacts& facts,
                                          Diagnostics& diags, const TaskLimits& limits = {});

// ps's state letter from task_struct's __state and exit_state (__task_state_index(), 6.1).
char task_state_char(std::uint32_t state, std::uint32_t exit_state);

}  // namespace corelens
