#include "unwinder/kernel/cpu_facts.hpp"

#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint32_t kPanicCpuInvalid = 0xffffffff;

// The task CPU runs, and where that came from.
std::optional<std::pair<std::uint64_t, std::string>> current_of(const KernelDump& dump, const KernelBtf* btf,
                                                               const KernelPerCpu& per_cpu, std::uint32_t cpu) {
  if (dump.arch == Arch::x86_64) {
    if (auto t = per_cpu.read_u64("current_task", 0, cpu)) return std::pair{*t, std::string("current_task")};
    if (auto at = btf != nullptr ? btf->offset_of("pcpu_hot", "current_task") : std::nullopt) {
      if (auto t = per_cpu.read_u64("pcpu_hot", *at, cpu)) return std::pair{*t, std::string("pcpu_hot.current_task")};
    }
  }
  if (auto at = btf != nullptr ? btf->offset_of("rq", "curr") : std::nullopt) {
    if (auto t = per_cpu.read_u64("runqueues", *at, cpu)) return std::pair{*t, std::string("runqueues.curr")};
  }
  return std::nullopt;
}

}  // namespace

std::optional<TaskIdentity> read_task_identity(const KernelMemory& memory, const KernelBtf& btf, std::uint64_t task) {
  auto pid_at = btf.offset_of("task_struct", "pid");
  auto comm_at = btf.offset_of("task_struct", "comm");
  if (!pid_at || !comm_at) return std::nullopt;
  auto pid = memory.read_u32(task + *pid_at);
  std::byte comm[16];
  if (!pid || !memory.read(task + *comm_at, comm)) return std::nullopt;
  TaskIdentity id;
  id.pid = static_cast<std::int32_t>(*pid);
  for (std::byte c : comm) {
    char ch = static_cast<char>(c);
    if (ch == '\0') break;
    id.comm.push_back(ch >= 0x20 && ch < 0x7f ? ch : '?');  // it goes into reports: printable only
  }
  return id;
}

KernelCpuFacts read_cpu_facts(const KernelDump& dump, const KernelMemory& memory, const KernelSymbols& symbols,
                              const KernelBtf* btf, const KernelPerCpu& per_cpu, Diagnostics& diags) {
  KernelCpuFacts f;
  if (auto at = symbols.address_of("panic_cpu")) {
    if (auto v = memory.read_u32(*at); v && *v != kPanicCpuInvalid && *v < dump.cpus.size()) {
      f.panic_cpu = *v;
      f.panic_cpu_from = "panic_cpu";
    } else if (v && *v == kPanicCpuInvalid) {
      diags.info("panic-cpu-none", "panic_cpu is -1: no CPU entered panic() or crash_kexec()");
    } else {
      diags.warn("panic-cpu-unreadable", "panic_cpu at " + hex(*at) + (v ? " holds " + std::to_string(*v) + ", not a CPU of this dump"
                                                                           : " cannot be read: " + v.error().message));
    }
  }
  bool kdump_notes = dump.producer != "qemu";
  for (const auto& cpu : dump.cpus) {
    KernelCpuTask t;
    if (auto cur = current_of(dump, btf, per_cpu, cpu.index)) {
      t.task = cur->first;
      t.from = cur->second;
      if (btf != nullptr) {
        if (auto id = read_task_identity(memory, *btf, cur->first)) {
          t.pid = id->pid;
          t.comm = id->comm;
        }
      }
    }
    if (!t.pid && kdump_notes) {
      t.pid = cpu.pr_pid;
      t.from = "NT_PRSTATUS pr_pid";
    }
    f.cpus.push_back(std::move(t));
  }
  return f;
}

}  // namespace corelens
