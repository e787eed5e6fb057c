#include "unwinder/kernel/tasks.hpp"

#include <map>
#include <set>

#include "core/model/strings.hpp"
#include "unwinder/kernel/list_walk.hpp"

namespace corelens {
namespace {

constexpr std::uint32_t kPfKthread = 0x00200000;  // PF_KTHREAD of include/linux/sched.h

// struct task_struct as BTF lays it out; optional members are simply not read.
struct TaskLayout {
  std::uint64_t tasks = 0, pid = 0, tgid = 0, comm = 0, stack = 0, state = 0;
  std::uint64_t state_size = 4;  // __state is an unsigned int since 5.14, state a long before
  std::optional<std::uint64_t> exit_state, cpu, flags, signal, thread_node, thread_head;
  std::uint64_t thread_size = kKernelStackSize;  // THREAD_SIZE, until BTF says otherwise
};

std::optional<TaskLayout> task_layout(const KernelBtf& btf, std::string& why) {
  auto ts = btf.find_struct("task_struct");
  if (!ts) {
    why = "BTF has no struct task_struct";
    return std::nullopt;
  }
  TaskLayout l;
  auto get = [&](std::uint32_t s, const char* path) -> std::optional<std::uint64_t> {
    auto m = btf.member(s, path);
    return m ? std::optional(m->offset) : std::nullopt;
  };
  auto tasks = get(*ts, "tasks"), pid = get(*ts, "pid"), tgid = get(*ts, "tgid"), comm = get(*ts, "comm");
  auto stack = get(*ts, "stack");
  auto state = btf.member(*ts, "__state");
  if (!state) state = btf.member(*ts, "state");
  if (!tasks || !pid || !tgid || !comm || !stack || !state) {
    why = "BTF's struct task_struct lacks tasks, pid, tgid, comm, stack or __state";
    return std::nullopt;
  }
  l.tasks = *tasks;
  l.pid = *pid;
  l.tgid = *tgid;
  l.comm = *comm;
  l.stack = *stack;
  l.state = state->offset;
  l.state_size = btf.size_of(state->type).value_or(4) == 8 ? 8 : 4;
  l.exit_state = get(*ts, "exit_state");
  l.cpu = get(*ts, "thread_info.cpu");  // 5.16+; task->cpu before
  if (!l.cpu) l.cpu = get(*ts, "cpu");
  l.flags = get(*ts, "flags");
  auto sig = btf.find_struct("signal_struct");
  l.signal = get(*ts, "signal");
  l.thread_node = get(*ts, "thread_node");
  if (sig) l.thread_head = get(*sig, "thread_head");
  l.thread_size = kernel_thread_size(&btf);
  return l;
}

std::optional<std::uint32_t> read_u32(const KernelMemory& m, std::uint64_t a) {
  auto v = m.read_u32(a);
  return v ? std::optional(*v) : std::nullopt;
}

std::string read_comm(const KernelMemory& m, std::uint64_t a) {
  std::byte b[16];
  std::string out;
  if (!m.read(a, b)) return out;
  for (std::byte c : b) {
    char ch = static_cast<char>(c);
    if (ch == '\0') break;
    out.push_back(ch >= 0x20 && ch < 0x7f ? ch : '?');  // comm goes into reports: printable only
  }
  return out;
}

class TaskReader {
 public:
  TaskReader(const KernelMemory& m, const KernelSymbols& symbols, const TaskLayout& l, const KernelUnwinder& unwinder,
             const std::map<std::uint64_t, std::uint32_t>& running, const TaskLimits& limits)
      : m_(m), l_(l), unwinder_(unwinder), running_(running), limits_(limits) {
    sched_ = {symbols.address_of("__sched_text_start").value_or(0), symbols.address_of("__sched_text_end").value_or(0)};
  }

  enum class Added { yes, seen, unreadable, full };
  // Adds the task at ADDR unless seen, the cap is reached or ADDR is not a readable task.
  Added add(std::uint64_t addr, std::vector<KernelTask>& out) {
    if (seen_.contains(addr)) return Added::seen;
    if (out.size() >= limits_.max_tasks) return Added::full;
    auto t = read(addr);
    if (!t) return Added::unreadable;
    seen_.insert(addr);
    out.push_back(std::move(*t));
    return Added::yes;
  }

 private:
  std::optional<KernelTask> read(std::uint64_t addr) const;
  void unwind(KernelTask& t) const;

  const KernelMemory& m_;
  const TaskLayout& l_;
  const KernelUnwinder& unwinder_;
  const std::map<std::uint64_t, std::uint32_t>& running_;
  TaskLimits limits_;
  std::pair<std::uint64_t, std::uint64_t> sched_;
  std::set<std::uint64_t> seen_;
};

std::optional<KernelTask> TaskReader::read(std::uint64_t addr) const {
  KernelTask t;
  t.address = addr;
  auto pid = read_u32(m_, addr + l_.pid);
  if (!pid) return std::nullopt;  // a list pointer into memory the dump does not have
  t.pid = static_cast<std::int32_t>(*pid);
  t.tgid = static_cast<std::int32_t>(read_u32(m_, addr + l_.tgid).value_or(0));
  t.comm = read_comm(m_, addr + l_.comm);
  std::optional<std::uint64_t> state;
  if (l_.state_size == 8) {
    if (auto v = m_.read_u64(addr + l_.state)) state = *v;
  } else if (auto v = m_.read_u32(addr + l_.state)) {
    state = *v;
  }
  std::uint32_t exit_state = l_.exit_state ? read_u32(m_, addr + *l_.exit_state).value_or(0) : 0;
  if (state) t.state = task_state_char(static_cast<std::uint32_t>(*state), exit_state);
  if (l_.cpu) t.cpu = read_u32(m_, addr + *l_.cpu);
  if (l_.flags) t.kernel_thread = (read_u32(m_, addr + *l_.flags).value_or(0) & kPfKthread) != 0;
  if (auto it = running_.find(addr); it != running_.end()) t.running_on = it->second;
  unwind(t);
  return t;
}


void TaskReader::unwind(KernelTask& t) const {
  StackReport& s = t.stack;
  if (t.running_on) {
    s.unwind = UnwindStatus::stopped(StopReason::not_unwound,
                                     "running on CPU " + std::to_string(*t.running_on) + ": its stack is that CPU's");
    s.method = "none";
    return;
  }
  auto stack = m_.read_u64(t.address + l_.stack);
  if (!stack || *stack == 0) {
    s.unwind = UnwindStatus::stopped(StopReason::missing_memory, "no stack (task->stack unreadable)");
    s.method = "none";
    return;
  }
  s = unwinder_.unwind_task(t.address, StackRegion{*stack, *stack + l_.thread_size, "task"});
  // wchan: the first frame outside the scheduler's own functions (__sched), as the kernel's get_wchan().
  for (const auto& f : s.frames) {
    if (f.function.empty() || f.inlined || f.is_user_context()) continue;
    if (f.lookup_pc >= sched_.first && f.lookup_pc < sched_.second) continue;
    t.wchan = f.function;
    break;
  }
}

}  // namespace

char task_state_char(std::uint32_t state, std::uint32_t exit_state) {
  constexpr std::uint32_t kReport = 0x7f, kIdle = 0x402, kRtlockWait = 0x1000, kUninterruptible = 2;
  std::uint32_t s = (state | exit_state) & kReport;
  if ((state & kIdle) == kIdle) s = kReport + 1;
  if ((state & kRtlockWait) != 0) s = kUninterruptible;
  int index = 0;
  while (s != 0) {  // fls()
    ++index;
    s >>= 1;
  }
  return "RSDTtXZPI"[index];
}

std::vector<KernelTask> read_kernel_tasks(const KernelDump& dump, const KernelMemory& memory,
                                          const KernelSymbols& symbols, const KernelBtf& btf,
                                          const KernelUnwinder& unwinder, const KernelCpuFacts& facts,
                                          Diagnostics& diags, const TaskLimits& limits) {
  std::vector<KernelTask> out;
  auto init = symbols.address_of("init_task");
  if (!init) {
    diags.info("tasks-missing", "the dump's kallsyms names no init_task: the task list is not read");
    return out;
  }
  std::string why;
  auto layout = task_layout(btf, why);
  if (!layout) {
    diags.warn("tasks-layout", "the task list is not read: " + why);
    return out;
  }
  std::map<std::uint64_t, std::uint32_t> running;
  for (std::size_t i = 0; i < dump.cpus.size() && i < facts.cpus.size(); ++i) {
    if (facts.cpus[i].task) running.emplace(*facts.cpus[i].task, dump.cpus[i].index);
  }
  TaskReader reader(memory, symbols, *layout, unwinder, running, limits);
  // Each process, then its threads: the signal_struct's thread_head ring of thread_nodes (the
  // process itself is one of them, and is not read twice). Either list may be damaged: the tasks
  // read so far stay, with a diagnostic saying where the list broke.
  std::string broken;
  auto add = [&](std::uint64_t task) -> bool {
    switch (reader.add(task, out)) {
      case TaskReader::Added::unreadable: broken = "no task at " + hex(task); return false;
      case TaskReader::Added::full: broken = "more than " + std::to_string(limits.max_tasks) + " tasks"; return false;
      default: return true;
    }
  };
  auto add_threads = [&](std::uint64_t p) -> bool {
    if (!layout->signal || !layout->thread_node || !layout->thread_head) return true;
    auto sig = memory.read_u64(p + *layout->signal);
    if (!sig || *sig == 0) return true;
    ListWalk threads = walk_kernel_list(memory, *sig + *layout->thread_head, limits.max_tasks,
                                        [&](std::uint64_t node) { return add(node - *layout->thread_node); });
    if (threads.end == ListWalk::End::closed) return true;
    if (broken.empty()) broken = "the threads of the task at " + hex(p) + ": the list " + threads.describe(limits.max_tasks);
    return false;
  };
  if (add(*init) && add_threads(*init)) {
    ListWalk processes = walk_kernel_list(memory, *init + layout->tasks, limits.max_tasks, [&](std::uint64_t node) {
      std::uint64_t p = node - layout->tasks;
      return add(p) && add_threads(p);
    });
    if (processes.end != ListWalk::End::closed && processes.end != ListWalk::End::stopped) {
      broken = "the list " + processes.describe(limits.max_tasks);
    }
  }
  if (!broken.empty()) {
    diags.warn("tasks-list", "the task list is cut after " + std::to_string(out.size()) + " tasks: " + broken);
  }
  // The idle tasks of the other CPUs (swapper/N) are in no list: init_task is CPU 0's; the others
  // are in the per-cpu idle_threads, and a CPU idle at the crash runs its own. After init_task, as
  // ps and crash list them.
  std::vector<KernelTask> idle;
  auto per_cpu = symbols.address_of("__per_cpu_offset");
  auto idle_threads = symbols.address_of("idle_threads");
  for (std::size_t i = 0; i < dump.cpus.size(); ++i) {
    const KernelCpu& cpu = dump.cpus[i];
    std::optional<std::uint64_t> idle_task;
    if (per_cpu && idle_threads) {
      if (auto base = memory.read_u64(*per_cpu + 8ull * cpu.index)) {
        if (auto t = memory.read_u64(*base + *idle_threads); t && *t != 0) idle_task = *t;
      }
    }
    std::optional<std::uint64_t> current = i < facts.cpus.size() ? facts.cpus[i].task : std::nullopt;
    for (auto task : {idle_task, current}) {
      if (task && reader.add(*task, idle) == TaskReader::Added::full) break;
    }
  }
  out.insert(out.begin() + (out.empty() ? 0 : 1), std::make_move_iterator(idle.begin()), std::make_move_iterator(idle.end()));
  return out;
}

}  // namespace corelens
