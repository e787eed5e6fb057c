#include "gui/stack_ref.hpp"

#include "core/model/arch.hpp"

namespace corelens::gui {
namespace {

bool valid_thread(const Report& report, int thread) {
  return thread >= 0 && static_cast<std::size_t>(thread) < report.threads.size();
}

const KernelTaskReport* task_of(const Report& report, int task) {
  if (!report.kernel || task < 0 || static_cast<std::size_t>(task) >= report.kernel->tasks.size()) return nullptr;
  return &report.kernel->tasks[static_cast<std::size_t>(task)];
}

}  // namespace

StackRef task_stack_ref(const Report& report, std::size_t task) {
  const StackReport* stack = report.task_stack(task);
  if (stack == nullptr) return {};
  if (stack == &report.kernel->tasks[task]) return StackRef::of_task(static_cast<int>(task));
  // Running at the crash: the stack is one of the threads (its CPU's); which one, by identity.
  for (std::size_t i = 0; i < report.threads.size(); ++i) {
    if (stack == &report.threads[i]) return StackRef::of_thread(static_cast<int>(i));
  }
  return {};
}

const StackReport* stack_of(const Report& report, StackRef ref) {
  if (valid_thread(report, ref.thread)) return &report.threads[static_cast<std::size_t>(ref.thread)];
  if (ref.thread >= 0) return nullptr;
  return task_of(report, ref.task);
}

std::vector<Register> innermost_registers(const Report& report, StackRef ref) {
  if (valid_thread(report, ref.thread)) return report.threads[static_cast<std::size_t>(ref.thread)].registers;
  const KernelTaskReport* t = ref.thread < 0 ? task_of(report, ref.task) : nullptr;
  if (t == nullptr || t->frames.empty()) return {};
  const Frame& f = t->frames.front();
  if (!f.registers.empty()) return f.registers;
  // The architecture's own names (rip/rsp, pc/sp): static strings, as Register's view needs.
  const Arch arch = arch_from_string(report.arch);
  std::vector<Register> out{Register{pc_register(arch), f.pc}};
  if (f.sp) out.push_back(Register{sp_register(arch), *f.sp});
  return out;
}

StackOwner stack_owner(const Report& report, StackRef ref) {
  if (valid_thread(report, ref.thread)) {
    const ThreadReport& t = report.threads[static_cast<std::size_t>(ref.thread)];
    return StackOwner{false, t.tid, t.name, t.crashed};
  }
  const KernelTaskReport* t = ref.thread < 0 ? task_of(report, ref.task) : nullptr;
  if (t == nullptr) return {};
  // ps shows kernel threads in brackets.
  return StackOwner{true, t->pid, t->kernel_thread ? "[" + t->comm + "]" : t->comm, false};
}

QString frame_found_by(const Report& report, const Frame& frame) {
  // A kernel frame says which table found it; a user frame, how far to trust it.
  return QString::fromLatin1(report.kernel ? found_by_label(frame) : trust_label(frame));
}

}  // namespace corelens::gui
