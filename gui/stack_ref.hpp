// Which stack the window shows, in the Report's one stack model: a thread of Report::threads (a
// kernel dump's CPUs are threads there) or a kernel task's own stack (Report::kernel->tasks). A
// task running at the crash has no stack of its own: its stack is its CPU's thread, as
// Report::task_stack says. The views read the stack where the Report keeps it; nothing is copied.
#pragma once

#include <QString>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens::gui {

struct StackRef {
  int thread = -1;  // index into Report::threads; -1: not a thread's stack
  int task = -1;    // index into Report::kernel->tasks when the stack is the task's own; else -1

  static StackRef of_thread(int thread) { return StackRef{thread, -1}; }
  static StackRef of_task(int task) { return StackRef{-1, task}; }
  bool operator==(const StackRef&) const = default;
};

// Where task TASK's stack is: Report::task_stack's answer, as the thread of its CPU or the task's
// own; none (StackRef{}) when the report has no such task, or no stack for its CPU.
StackRef task_stack_ref(const Report& report, std::size_t task);
// The stack REF names in REPORT; null when it names none.
const StackReport* stack_of(const Report& report, StackRef ref);
// The registers of REF's innermost frame, for the register and disassembly views: a thread's own;
// a switched-out task's where __switch_to_asm left it (its first frame's registers, else that
// frame's pc and stack pointer).
std::vector<Register> innermost_registers(const Report& report, StackRef ref);
// Whose stack REF is: a thread (a kernel dump's CPU) or a task, its tid or pid and its name as
// ps shows it ("[kthreadd]" for a kernel thread); a default StackOwner when REF names none.
struct StackOwner {
  bool task = false;
  std::int32_t id = 0;
  std::string name;
  bool crashed = false;
};
StackOwner stack_owner(const Report& report, StackRef ref);
// How FRAME was found, in the words the text report uses: a kernel frame's table ("orc",
// "dwarf-cfi", "prologue", "scan"), else the frame's trust ("cfi", "frame-pointer" ...).
QString frame_found_by(const Report& report, const Frame& frame);

}  // namespace corelens::gui
