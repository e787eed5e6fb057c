// Real kernel dumps of five kernels (samples/kernel/make-kernel-dumps.sh, the kernel_dumps fixtures):
// Debian 11's 5.10, 12's 6.1 and 13's 6.12 on x86_64, Debian 12's and 13's arm64 kernels. Every
// format of every kernel, with no other file, gives the release, the panic, the panicking CPU and
// task as the kernel's own console names them, every CPU's stack, the tasks, and the same log
// makedumpfile reads; the panicking CPU's stack is the Call Trace the kernel printed.
//
// Each dump is analysed once per process (a ctest entry runs one kernel's dumps, see
// CMakeLists.txt): the checks below share that analysis.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "core/model/kernel/kernel_memory_aarch64.hpp"
#include "core/model/kernel/kernel_memory_x86_64.hpp"
#include "core/report/json_report.hpp"
#include "core/report/text_report.hpp"
#include "parsers/detect.hpp"
#include "tests/kernel/kernel_dump_files.hpp"
#include "unwinder/pipeline/kernel/kernel_session.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens {
namespace {

using namespace kernel_test;

struct Analyzed {
  std::shared_ptr<const Session> session;
  const KernelSession* kernel = nullptr;
  std::string text;
};

const Analyzed* analyzed(const std::string& param) {
  static std::map<std::string, std::unique_ptr<Analyzed>> cache;
  auto& slot = cache[param];
  if (!slot) {
    auto s = open_session((kDir / param).string(), {});
    if (!s) {
      ADD_FAILURE() << param << ": " << s.error().message;
      return nullptr;
    }
    auto kernel = std::dynamic_pointer_cast<const KernelDumpSession>(*s);
    if (!kernel) {
      ADD_FAILURE() << param << ": not opened as a kernel dump";
      return nullptr;
    }
    slot = std::make_unique<Analyzed>();
    slot->session = *s;
    slot->kernel = &kernel->kernel();
    slot->text = report_to_text((*s)->report());
  }
  return slot.get();
}

class KernelDumpTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // A dump of a kernel the fixtures boot is missing: the fixture failed, and so does this
    // (unless CORELENS_SKIP names kernel).
    CORELENS_REQUIRE_KERNEL_FILE(kDir / GetParam(), "kernel_dumps.make*");
    a_ = analyzed(GetParam());
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(a_->kernel, nullptr);
    arch_ = kernel_of(GetParam()).arch;
  }
  const Report& report() const { return a_->session->report(); }
  const KernelReport& k() const { return *report().kernel; }
  const KernelSession& session() const { return *a_->kernel; }
  const ThreadReport* thread_of(const KernelCpuReport& cpu) const { return report().cpu_stack(cpu.cpu); }
  // The address a console line names: its symbol's address plus the offset ("f+0x16/0x20"); of
  // the symbols with that name (static functions may share one), the one of that size.
  std::optional<std::uint64_t> console_address(const std::string& line) const {
    std::size_t slash = line.find('/');
    std::uint64_t size = slash == std::string::npos ? 0 : std::stoull(line.substr(slash + 1), nullptr, 16);
    for (std::uint64_t at : session().symbols.addresses_of(name_of(line))) {
      if (session().symbols.extent(at) == size) return at + offset_of(line);
    }
    return std::nullopt;
  }
  const Analyzed* a_ = nullptr;
  Arch arch_ = Arch::x86_64;
};

const std::string& text_of(const Analyzed* a) { return a->text; }

TEST_P(KernelDumpTest, ReportTellsThePanicStory) {
  EXPECT_EQ(report().dump_kind, "kernel-dump");
  EXPECT_EQ(report().arch, to_string(arch_));
  EXPECT_EQ(k().release, run_info(GetParam(), "release"));
  EXPECT_EQ(k().panic_message, "sysrq triggered crash");
  EXPECT_EQ(k().oops_headline, "sysrq: Trigger a crash");
  // The panicking CPU and its task, from memory, as the kernel's console names them.
  ConsoleTrace console = console_trace(GetParam());
  ASSERT_TRUE(console.cpu) << "no \"CPU: N PID: P Comm: C\" line on the console of " << GetParam();
  ASSERT_TRUE(k().panic_cpu) << text_of(a_);
  EXPECT_EQ(*k().panic_cpu, *console.cpu);
  EXPECT_EQ(k().panic_pid, console.pid);
  EXPECT_EQ(k().panic_comm, console.comm);
  ASSERT_EQ(k().cpus.size(), 2u);  // SMP=2
  EXPECT_TRUE(k().cpus.front().panicking);
  EXPECT_EQ(k().cpus.front().cpu, *k().panic_cpu);
  EXPECT_EQ(k().cpus.front().pid, console.pid);
  EXPECT_EQ(k().cpus.front().comm, console.comm);
  bool has_pc = false, has_sp = false;
  for (const auto& r : k().cpus.front().registers) {
    if (r.name == pc_register(arch_) && (r.value >> 63) != 0) has_pc = true;
    if (r.name == sp_register(arch_) && r.value != 0) has_sp = true;
  }
  EXPECT_TRUE(has_pc && has_sp);
  EXPECT_GT(k().kallsyms_symbols, 10000u);
  EXPECT_EQ(k().symbols_from, "kallsyms");
  EXPECT_EQ(k().btf_from, "dump");
  EXPECT_GT(k().log_records, 100u);
  EXPECT_TRUE(k().log_complete);
  // The other CPU sits in a named kernel function (idle, stop_this_cpu, local_cpu_stop).
  EXPECT_FALSE(k().cpus.back().pc_symbol.empty());
  EXPECT_NE(text_of(a_).find("Panic     sysrq triggered crash\n"), std::string::npos) << text_of(a_);
  EXPECT_NE(text_of(a_).find("On        CPU " + std::to_string(*console.cpu) + ", PID " + std::to_string(*console.pid) +
                             " (" + console.comm + ")"),
            std::string::npos);
  // "At" names the function that panicked, not the panic machinery above it (__crash_kexec for
  // kdump, pvpanic's notifier or panic's delay loop for QEMU, panic and vpanic themselves).
  ASSERT_TRUE(k().panic_frame);
  const ThreadReport& panicking = report().threads.front();
  ASSERT_LT(*k().panic_frame, panicking.frames.size());
  EXPECT_EQ(panicking.frames[*k().panic_frame].function, "sysrq_handle_crash") << text_of(a_);
  EXPECT_TRUE(k().panic_at.starts_with("sysrq_handle_crash+0x")) << k().panic_at;
  ASSERT_GT(*k().panic_frame, 0u);
  std::string above = panicking.frames[*k().panic_frame - 1].function;
  EXPECT_TRUE(above == "panic" || above == "vpanic") << above;
  EXPECT_NE(text_of(a_).find(" in " + k().panic_at + "  (frame #" + std::to_string(*k().panic_frame)), std::string::npos);
  EXPECT_NE(report_to_json(report()).find("\"kernel\""), std::string::npos);
}

// KASLR as the boot asked for it: with `nokaslr` the kernel text at its link address (and on
// x86_64 the direct map at its base); else moved.
TEST_P(KernelDumpTest, AddressesAreWhereTheBootPutThem) {
  const VmcoreInfo& vi = session().dump->vmcoreinfo;
  auto offset = vi.kernel_offset();
  ASSERT_TRUE(offset);
  auto stext = session().symbols.address_of("_stext");
  ASSERT_TRUE(stext);
  bool nokaslr = run_info(GetParam(), "method").find("append=nokaslr") != std::string::npos;
  ASSERT_EQ(nokaslr, GetParam().find("nokaslr/") != std::string::npos);
  std::uint64_t linear_low = 0, linear_high = 0;
  if (arch_ == Arch::x86_64) {
    auto page_offset_base = session().symbols.address_of("page_offset_base");
    ASSERT_TRUE(page_offset_base);
    auto direct_map = session().memory->read_u64(*page_offset_base);
    ASSERT_TRUE(direct_map);
    EXPECT_EQ(*stext, 0xffffffff81000000ull + *offset);
    if (nokaslr) {
      EXPECT_EQ(*direct_map, 0xffff888000000000ull);
    }
    if (nokaslr) {
      EXPECT_EQ(*offset, 0u);
    } else {
      EXPECT_TRUE(*offset != 0 || *direct_map != 0xffff888000000000ull);
    }
    linear_low = *direct_map;
    linear_high = *direct_map + (64ull << 40);
  } else {
    // The image is linked at KIMAGE_VADDR (= MODULES_END), _stext 64 KiB into it.
    auto modules_end = vi.number("MODULES_END");
    ASSERT_TRUE(modules_end);
    EXPECT_EQ(*stext, static_cast<std::uint64_t>(*modules_end) + 0x10000 + *offset);
    if (nokaslr) {
      EXPECT_EQ(*offset, 0u);
    } else {
      EXPECT_NE(*offset, 0u);
    }
    Diagnostics d;
    Aarch64Layout l = aarch64_layout(vi, d);
    linear_low = l.linear_start();
    linear_high = l.linear_end();
    // Without KASLR the linear map starts at the first RAM (virt's: 1 GiB).
    if (nokaslr) {
      auto first = session().memory->translate(linear_low);
      ASSERT_TRUE(first);
      EXPECT_EQ(*first, 0x40000000u);
    }
  }
  // Every task_struct is slab memory in the linear map.
  ASSERT_FALSE(session().tasks.empty());
  for (const auto& t : session().tasks) {
    if (t.pid == 0) continue;  // init_task: in the kernel image
    EXPECT_GE(t.address, linear_low) << t.pid;
    EXPECT_LT(t.address, linear_high) << t.pid;
  }
}

// The truth of the log: makedumpfile --dump-dmesg of this dump, or of the same boot's qemu.kdump
// or vmcore.kdump; where this release's makedumpfile reads no dump of the kernel (Debian 13's
// arm64), kexec-tools' vmcore-dmesg for the kdump capture, and the console for QEMU's.
TEST_P(KernelDumpTest, LogHasTheInitMarkerAndEqualsMakedumpfile) {
  std::string ours;
  for (const auto& r : session().log.records) ours += format_log_line(r);
  EXPECT_NE(ours.find("CORELENS-KDUMP-MARKER: init pid 1 about to crash"), std::string::npos);
  fs::path dump = kDir / GetParam();
  fs::path truth = dump.string() + ".dmesg";
  std::string missing = run_info(GetParam(), "no_makedumpfile_truth");
  auto listed = [&](const fs::path& p) { return (" " + missing + " ").find(" " + p.filename().string() + " ") != std::string::npos; };
  if (!fs::exists(truth) && !listed(truth)) {
    truth = dump.parent_path() / (is_qemu_dump(GetParam()) ? "qemu.kdump.dmesg" : "vmcore.kdump.dmesg");
  }
  if (!fs::exists(truth) && listed(truth)) {
    if (!is_qemu_dump(GetParam())) {
      fs::path vmcore_dmesg = dump.parent_path() / "vmcore.elf.vmcore-dmesg";
      ASSERT_TRUE(fs::exists(vmcore_dmesg));
      EXPECT_EQ(ours, slurp(vmcore_dmesg));
      return;
    }
    // Every line the kernel printed on the console is a record of ours, in order.
    std::istringstream console(slurp(dump.parent_path() / "console-qemu.log"));
    std::size_t at = 0, lines = 0;
    for (std::string line; std::getline(console, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.starts_with("[") || line.find("] ") == std::string::npos) continue;
      std::size_t found = ours.find(line + "\n", at);
      EXPECT_NE(found, std::string::npos) << line;
      if (found != std::string::npos) at = found + line.size();
      ++lines;
    }
    EXPECT_GT(lines, 100u);
    return;
  }
  ASSERT_TRUE(fs::exists(truth)) << truth;
  EXPECT_EQ(ours, without_caller_ids(slurp(truth)));
}

TEST_P(KernelDumpTest, PanickingCpuStackIsTheConsoleCallTrace) {
  const KernelCpuReport& cpu = k().cpus.front();
  ASSERT_TRUE(cpu.panicking);
  const ThreadReport* thread = thread_of(cpu);
  ASSERT_NE(thread, nullptr);
  const std::string& text = text_of(a_);
  EXPECT_TRUE(thread->unwind.complete()) << describe(thread->unwind) << "\n" << text;
  EXPECT_EQ(describe(thread->unwind), "complete: reached user space");
  // Ours: every frame reliable, none scanned, the user context last. ORC and the vmlinux's CFI
  // are trusted as cfi; arm64's frame records and a frame-0 prologue as frame-pointer, as the
  // user walk's frame-pointer and prologue steps are.
  std::vector<std::size_t> kernel_frames;
  for (std::size_t i = 0; i < thread->frames.size(); ++i) {
    const Frame& f = thread->frames[i];
    if (i == 0) {
      EXPECT_EQ(f.trust, FrameTrust::context) << text;
    } else {
      bool by_table = f.origin == FrameOrigin::orc || f.origin == FrameOrigin::vmlinux_cfi;
      bool by_chain = f.origin == FrameOrigin::frame_pointer || f.origin == FrameOrigin::prologue;
      EXPECT_TRUE(by_table || by_chain) << i << " " << to_string(f.origin) << "\n" << text;
      EXPECT_EQ(f.trust, by_table ? FrameTrust::cfi : FrameTrust::frame_pointer) << i << "\n" << text;
    }
    if (f.is_user_context()) continue;
    EXPECT_EQ(f.stack_area, "task") << i << "\n" << text;
    EXPECT_FALSE(f.oops_symbol.empty()) << i << "\n" << text;
    kernel_frames.push_back(i);
  }
  ASSERT_FALSE(kernel_frames.empty());
  // Frame 0: where the CPU stood when the dump was taken. kdump: in __crash_kexec, called by
  // panic; QEMU on x86_64: in pvpanic's panic notifier (a module: its own ORC table and symbols).
  const Frame& f0 = thread->frames[0];
  if (!is_qemu_dump(GetParam())) {
    EXPECT_EQ(f0.function, "__crash_kexec") << text;
    EXPECT_EQ(f0.module, "kernel");
    if (arch_ == Arch::x86_64) {
      EXPECT_EQ(thread->method, "ORC (frame 0 by its prologue: no ORC there)");
    } else {
      EXPECT_EQ(thread->method, "frame pointers");
    }
  } else if (arch_ == Arch::x86_64) {
    EXPECT_EQ(f0.module, "pvpanic") << text;
    EXPECT_TRUE(f0.oops_symbol.ends_with(" [pvpanic]")) << f0.oops_symbol;
  }
  // From panic() (6.12: vpanic()) on, the console's reliable lines: the same function first, then
  // the same addresses (the console was printed from panic's dump_stack() call, the dump taken
  // later). The console names an address as %pB does on x86_64 and %pS on arm64 (a call at a
  // function's end names the next function there): addresses compare, names need not.
  ConsoleTrace console = console_trace(GetParam());
  ASSERT_FALSE(console.frames.empty()) << "no Call Trace on the console of " << GetParam();
  auto is_panic = [](const std::string& name) { return name == "panic" || name == "vpanic"; };
  auto ours_panic = std::find_if(kernel_frames.begin(), kernel_frames.end(),
                                 [&](std::size_t i) { return is_panic(thread->frames[i].function); });
  auto console_panic =
      std::find_if(console.frames.begin(), console.frames.end(), [&](const std::string& s) { return is_panic(name_of(s)); });
  ASSERT_NE(ours_panic, kernel_frames.end()) << text;
  ASSERT_NE(console_panic, console.frames.end());
  EXPECT_EQ(thread->frames[*ours_panic].function, name_of(*console_panic));
  std::size_t ours_n = static_cast<std::size_t>(kernel_frames.end() - ours_panic);
  std::size_t console_n = static_cast<std::size_t>(console.frames.end() - console_panic);
  ASSERT_EQ(ours_n, console_n) << text;
  for (std::size_t n = 1; n < ours_n; ++n) {
    const Frame& f = thread->frames[*(ours_panic + n)];
    const std::string& line = *(console_panic + n);
    SCOPED_TRACE(line);
    auto addr = console_address(line);
    ASSERT_TRUE(addr);
    EXPECT_EQ(f.pc, *addr);
    if (arch_ == Arch::x86_64) {
      EXPECT_EQ(f.oops_symbol, line);
    }
  }
  EXPECT_GE(console_n, 8u);  // panic ... sysrq ... vfs_write ... the system call's entry
  EXPECT_TRUE(std::any_of(console_panic, console.frames.end(), [&](const std::string& s) {
    auto addr = console_address(s);
    auto hit = addr ? session().symbols.lookup(*addr - 1) : std::nullopt;
    return hit && hit->symbol->name == "sysrq_handle_crash";
  }));
  const std::string entry = arch_ == Arch::x86_64 ? "entry_SYSCALL_64_after_hwframe" : "el0t_64_sync";
  EXPECT_EQ(name_of(console.frames.back()), entry);
  // The user context below the system call: on x86_64 as the oops's "RIP: 0033:..." and
  // "RSP: 002b:..." say; arm64's console prints none for a panic, its pt_regs say EL0.
  ASSERT_TRUE(thread->frames.back().is_user_context());
  const Frame& user = thread->frames.back();
  auto reg = [&](std::string_view name) -> std::optional<std::uint64_t> {
    for (const auto& r : user.registers) {
      if (r.name == name) return r.value;
    }
    return std::nullopt;
  };
  if (arch_ == Arch::x86_64) {
    char rip[64], rsp[64];
    std::snprintf(rip, sizeof rip, "%04llx:%#llx", static_cast<unsigned long long>(reg("cs").value_or(0)),
                  static_cast<unsigned long long>(user.pc));
    std::snprintf(rsp, sizeof rsp, "%04llx:%016llx", static_cast<unsigned long long>(reg("ss").value_or(0)),
                  static_cast<unsigned long long>(reg("rsp").value_or(0)));
    EXPECT_EQ(rip, console.user_rip);
    EXPECT_EQ(rsp, console.user_rsp);
    EXPECT_NE(text.find("RIP: " + console.user_rip), std::string::npos) << text;
  } else {
    EXPECT_EQ(reg("pstate").value_or(1) & 0xf, 0u);  // EL0t
    EXPECT_LT(user.pc, 1ull << 48);
    EXPECT_NE(reg("sp").value_or(0), 0u);
  }
  EXPECT_EQ(report().crashed_tid, cpu.pid.value_or(-1));
}

TEST_P(KernelDumpTest, OtherCpuHasASaneStack) {
  ASSERT_EQ(k().cpus.size(), 2u);
  const KernelCpuReport& cpu = k().cpus.back();
  const ThreadReport* thread = thread_of(cpu);
  ASSERT_NE(thread, nullptr);
  const std::string& text = text_of(a_);
  ASSERT_GT(thread->frames.size(), 3u) << text;
  EXPECT_TRUE(thread->unwind.complete()) << describe(thread->unwind) << "\n" << text;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < thread->frames.size(); ++i) {
    const Frame& f = thread->frames[i];
    EXPECT_NE(f.trust, FrameTrust::scan) << i << "\n" << text;
    if (f.is_user_context()) {
      EXPECT_EQ(i + 1, thread->frames.size()) << "the user context ends the stack";
      continue;
    }
    EXPECT_FALSE(f.function.empty()) << i << "\n" << text;
    names.push_back(f.function);
  }
  // Idle (the boot CPU's idle task ends where start_kernel was called, a secondary's in its
  // startup), or interrupted in a task that entered the kernel from user space (the user context
  // ends the stack), or in a kernel thread (ret_from_fork ends it): whatever the CPU was doing
  // when the panicking one stopped it.
  bool idle = std::find(names.begin(), names.end(), "cpu_startup_entry") != names.end();
  if (idle) {
    EXPECT_TRUE(std::find(names.begin(), names.end(), "do_idle") != names.end()) << text;
    const std::string& last = names.back();
    if (arch_ == Arch::x86_64) {  // 6.12 names it common_startup_64
      EXPECT_TRUE(last.starts_with("secondary_startup_64") || last == "common_startup_64") << text;
    } else {
      EXPECT_TRUE(last == "__primary_switched" || last == "__secondary_switched") << text;
    }
  } else if (!thread->frames.back().is_user_context()) {
    ASSERT_FALSE(names.empty());
    EXPECT_TRUE(names.back() == "ret_from_fork" || names.back() == "ret_from_fork_asm") << text;
    EXPECT_TRUE(std::find(names.begin(), names.end(), "kthread") != names.end()) << text;
  }
}

const KernelTaskReport* task_named(const KernelReport& k, std::string_view comm) {
  for (const auto& t : k.tasks) {
    if (t.comm == comm) return &t;
  }
  return nullptr;
}

bool has_function(const KernelTaskReport& t, std::string_view name) {
  return std::any_of(t.frames.begin(), t.frames.end(), [&](const Frame& f) { return f.function == name; });
}

TEST_P(KernelDumpTest, TasksIncludeTheInitramfsProcesses) {
  const std::string& text = text_of(a_);
  ASSERT_TRUE(k().tasks_read) << text;
  ASSERT_GT(k().tasks.size(), 40u);  // ~50 kernel threads and the initramfs's processes
  EXPECT_EQ(k().tasks.front().pid, 0);  // init_task heads the list
  EXPECT_EQ(k().tasks.front().comm, "swapper/0");
  for (const auto& n : k().not_done) EXPECT_FALSE(n.starts_with("tasks")) << n;
  // init is the task that panicked: running on the panicking CPU, whose stack is its.
  const KernelTaskReport* init = task_named(k(), "init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->pid, 1);
  EXPECT_EQ(init->running_on, k().panic_cpu);
  EXPECT_TRUE(init->frames.empty());
  // What crash-init.sh started: `sleep 3600` and the corelens-sleeper loop (comm: 15 characters).
  // The loop's own `sleep 1` children are sleep tasks too, and one may have just been woken (state
  // R) when the dump was taken; `sleep 3600`, started first, has the lowest pid of them all.
  const KernelTaskReport* sleep = nullptr;
  for (const auto& t : k().tasks) {
    if (t.comm == "sleep" && !t.running_on && has_function(t, "hrtimer_nanosleep") && (!sleep || t.pid < sleep->pid)) {
      sleep = &t;
    }
  }
  ASSERT_NE(sleep, nullptr) << text;
  EXPECT_EQ(sleep->state, 'S');
  EXPECT_FALSE(sleep->kernel_thread);
  EXPECT_TRUE(sleep->unwind.complete()) << describe(sleep->unwind);
  EXPECT_TRUE(sleep->frames.back().is_user_context());
  EXPECT_NE(task_named(k(), "corelens-sleepe"), nullptr) << text;
  // kthreadd: a kernel thread, its stack from __schedule down to ret_from_fork.
  const KernelTaskReport* kthreadd = task_named(k(), "kthreadd");
  ASSERT_NE(kthreadd, nullptr);
  EXPECT_EQ(kthreadd->pid, 2);
  EXPECT_TRUE(kthreadd->kernel_thread);
  EXPECT_EQ(kthreadd->wchan, "kthreadd");
  ASSERT_FALSE(kthreadd->frames.empty());
  // 6.2+ x86_64: ret_from_fork() is C, called from ret_from_fork_asm.
  std::string last = kthreadd->frames.back().function;
  EXPECT_TRUE(last == "ret_from_fork" || last == "ret_from_fork_asm") << last;
  // Every switched-out task unwinds completely, and no running task is unwound twice.
  std::size_t running = 0;
  for (const auto& t : k().tasks) {
    if (t.running_on) {
      ++running;
      continue;
    }
    EXPECT_TRUE(t.unwind.complete()) << t.pid << " " << t.comm << ": " << describe(t.unwind);
    EXPECT_FALSE(t.wchan.empty()) << t.pid << " " << t.comm;
    for (const auto& f : t.frames) EXPECT_NE(f.trust, FrameTrust::scan) << t.pid << " " << t.comm;
  }
  EXPECT_EQ(running, k().cpus.size());
  // Each CPU's task, read from its per-cpu data: the task the list says runs there, whose own
  // CPU field agrees; in kdump's notes the kernel also wrote that task's pid (QEMU writes the
  // CPU's index plus one, which must not be taken for a pid).
  for (std::size_t i = 0; i < k().cpus.size(); ++i) {
    const KernelCpuReport& c = k().cpus[i];
    auto t = std::find_if(k().tasks.begin(), k().tasks.end(), [&](const KernelTaskReport& x) { return x.running_on == c.cpu; });
    ASSERT_NE(t, k().tasks.end()) << "CPU " << c.cpu;
    EXPECT_EQ(t->pid, c.pid) << "CPU " << c.cpu;
    EXPECT_EQ(t->comm, c.comm) << "CPU " << c.cpu;
    EXPECT_EQ(t->cpu, c.cpu) << t->comm;
  }
  ASSERT_EQ(session().facts.cpus.size(), session().dump->cpus.size());
  for (std::size_t i = 0; i < session().dump->cpus.size(); ++i) {
    const KernelCpuTask& fact = session().facts.cpus[i];
    EXPECT_NE(fact.from, "NT_PRSTATUS pr_pid") << "CPU " << i << ": memory says nothing";
    if (report().producer != "qemu") {
      EXPECT_EQ(fact.pid, session().dump->cpus[i].pr_pid) << "CPU " << i;
    }
  }
  EXPECT_NE(text.find("Tasks (" + std::to_string(k().tasks.size()) + "):"), std::string::npos);
}

TEST_P(KernelDumpTest, CancelledKernelWalksStop) {
  // A walk of the real stacks, cancelled: the panicking CPU's stops at frame 0 with "cancelled"
  // (its arm64 frame records or ORC, and the x86_64 scan after it, alike).
  const KernelSession& s = session();
  Diagnostics diags;
  KernelStackLimits limits;
  limits.keep_going = [] { return false; };
  KernelUnwinder unwinder(*s.dump, *s.memory, s.symbols, s.btf.get(), diags, limits);
  std::optional<std::size_t> panicking;
  for (std::size_t i = 0; i < s.dump->cpus.size(); ++i) {
    if (s.dump->cpus[i].index == k().panic_cpu) panicking = i;
  }
  ASSERT_TRUE(panicking);
  auto task = *panicking < s.facts.cpus.size() ? s.facts.cpus[*panicking].task : std::nullopt;
  StackReport stack = unwinder.unwind_cpu(s.dump->cpus[*panicking], task);
  EXPECT_EQ(stack.unwind.reason, StopReason::cancelled) << describe(stack.unwind);
  ASSERT_FALSE(stack.frames.empty());
  for (const Frame& f : stack.frames) EXPECT_TRUE(f.inlined || f.trust == FrameTrust::context) << f.oops_symbol;
  // Through the pipeline (once per kernel): the analysis stops with the cancelled error at the
  // first kernel walk the front end refuses.
  if (GetParam().find("qemu.elf") == std::string::npos) return;
  std::size_t walks = 0;
  AnalyzeOptions options;
  options.progress = [&walks](const AnalyzeProgress& p) { return p.stage != "unwinding kernel stacks" || ++walks < 3; };
  auto cancelled = open_session((kDir / GetParam()).string(), options);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::cancelled) << cancelled.error().message;
  EXPECT_EQ(walks, 3u);  // asked once more, by the walk that was refused; then never again
}

INSTANTIATE_TEST_SUITE_P(AllKernels, KernelDumpTest, ::testing::ValuesIn(all_sysrq_dumps()),
                         [](const auto& param_info) { return param_name(param_info.param); });

TEST(KernelDumpFormats, DetectedByContent) {
  for (auto [name, want] : {std::pair{"vmcore.elf", DumpFormat::elf_kernel_core}, {"qemu.elf", DumpFormat::elf_kernel_core},
                            {"vmcore.kdump", DumpFormat::kdump_compressed}, {"vmcore.flat", DumpFormat::kdump_flattened},
                            {"qemu.flat", DumpFormat::kdump_flattened}, {"debian12-arm64/qemu.kdump", DumpFormat::kdump_compressed},
                            {"debian13-arm64/vmcore.elf", DumpFormat::elf_kernel_core}}) {
    CORELENS_REQUIRE_KERNEL_FILE(kDir / name, "kernel_dumps.make*");
    auto f = MappedFile::open((kDir / name).string());
    ASSERT_TRUE(f);
    EXPECT_EQ(detect_format((*f)->bytes()), want) << name;
  }
}

}  // namespace
}  // namespace corelens
